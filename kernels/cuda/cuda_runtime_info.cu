#include <cuda_runtime.h>

#include "kernels/cuda/cuda_runtime_info.h"

namespace gg {

CudaRuntimeInfo cuda_runtime_info() {
  CudaRuntimeInfo info;
  info.compiled = true;
  const cudaError_t status = cudaGetDeviceCount(&info.device_count);
  if (status != cudaSuccess) {
    info.device_count = 0;
    info.error = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
  } else if (info.device_count == 0) {
    info.error = "cudaGetDeviceCount reported 0 devices";
  }
  return info;
}

}  // namespace gg

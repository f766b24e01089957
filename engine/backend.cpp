#include "engine/backend.h"

#include <stdexcept>

#include "kernels/cuda/cuda_runtime_info.h"

namespace gg {

Backend& backend_for(Device device) {
  if (device.is_cpu()) return cpu_backend();
  const CudaRuntimeInfo info = cuda_runtime_info();
  if (!info.compiled)
    throw std::runtime_error("device " + device.str() +
                             ": this build has no CUDA support (configure with nvcc on PATH and -DGG_CUDA=ON)");
  if (info.device_count == 0)
    throw std::runtime_error("device " + device.str() + ": no CUDA device is visible (" + info.error + ")");
  if (device.index >= info.device_count)
    throw std::runtime_error("device " + device.str() + ": only " + std::to_string(info.device_count) +
                             " CUDA device(s) visible");
  throw std::runtime_error("device " + device.str() +
                           ": the CUDA backend's kernels are not part of this build yet; use --device cpu");
}

}  // namespace gg

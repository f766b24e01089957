#include "engine/backend.h"

#include <stdexcept>

#include "engine/profiler.h"
#include "kernels/cuda/cuda_runtime_info.h"
#if GG_WITH_CUDA
#include "kernels/cuda/cuda_backend_api.h"
#endif

namespace gg {

Backend& backend_for(Device device) {
  if (device.is_cpu()) return KernelProfiler::enabled() ? profiled_cpu_backend() : cpu_backend();
  // Asked once: the visible devices do not change while the process runs, and every op comes here.
  static const CudaRuntimeInfo info = cuda_runtime_info();
  if (!info.compiled)
    throw std::runtime_error("device " + device.str() +
                             ": this build has no CUDA support (configure with nvcc on PATH and -DGG_CUDA=ON)");
  if (info.device_count == 0)
    throw std::runtime_error("device " + device.str() + ": no CUDA device is visible (" + info.error + ")");
  if (device.index < 0 || device.index >= info.device_count)
    throw std::runtime_error("device " + device.str() + ": only " + std::to_string(info.device_count) +
                             " CUDA device(s) visible");
#if GG_WITH_CUDA
  return cuda_backend(device.index);
#else
  throw std::logic_error("unreachable: a build without CUDA reports no CUDA support above");
#endif
}

}  // namespace gg

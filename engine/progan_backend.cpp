#include "engine/progan_backend.h"

#include <stdexcept>
#include <string>

#include "engine/profiler.h"

namespace gg {

ProganKernels& progan_kernels_for(Device device, const char* kernel) {
  if (device.is_cpu()) return KernelProfiler::enabled() ? profiled_cpu_progan_kernels() : cpu_progan_kernels();
  throw std::runtime_error("device " + device.str() + ": no CUDA implementation of the ProGAN kernel '" + kernel +
                           "' yet; use --device cpu");
}

}  // namespace gg

#include "engine/progan_backend.h"

#include <stdexcept>
#include <string>

#include "engine/backend.h"
#include "engine/profiler.h"

namespace gg {

ProganKernels& progan_kernels_for(Device device, const char* kernel) {
  if (device.is_cpu()) return KernelProfiler::enabled() ? profiled_cpu_progan_kernels() : cpu_progan_kernels();
#if GG_WITH_CUDA
  try {
    backend_for(device);  // throws naming the reason when the build or the machine lacks the device
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("ProGAN kernel '") + kernel + "': " + e.what());
  }
  return cuda_progan_kernels();
#else
  throw std::runtime_error("device " + device.str() + ": this build has no CUDA implementation of the ProGAN kernel '" +
                           kernel + "' (configure with nvcc on PATH and -DGG_CUDA=ON); use --device cpu");
#endif
}

}  // namespace gg

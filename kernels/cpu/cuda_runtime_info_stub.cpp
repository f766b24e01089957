// Built when CUDA is not compiled in: the runtime is reported absent.
#include "kernels/cuda/cuda_runtime_info.h"

namespace gg {

CudaRuntimeInfo cuda_runtime_info() { return {false, 0, "built without CUDA"}; }

}  // namespace gg

// Fade-in blending, out = old + alpha (new - old) (kernels/common/progan_math.h), one thread per
// element, and the CUDA table's instance.
#include "kernels/common/progan_math.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

template <typename T>
__global__ void fade_in_kernel(const T* old_branch, const T* new_branch, T* out, std::int64_t n, T alpha) {
  GG_GRID_STRIDE_LOOP(i, n) out[i] = fade_in_value(old_branch[i], new_branch[i], alpha);
}

}  // namespace

void CudaProganKernels::fade_in(const Tensor& old_branch, const Tensor& new_branch, const Tensor& out, double alpha) {
  const std::int64_t n = out.numel();
  if (n == 0) return;
  CudaBackend& b = cuda::backend_of(out);
  const DeviceScope scope(b.device(), "fade_in");
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    fade_in_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, b.stream()>>>(
        old_branch.data<T>(), new_branch.data<T>(), out.data<T>(), n, static_cast<T>(alpha));
    GG_CUDA_CHECK_LAUNCH(fade_in_kernel);
  });
}

ProganKernels& cuda_progan_kernels() {
  static CudaProganKernels table;
  return table;
}

}  // namespace gg

// Fade-in blending, out = old + alpha (new - old) (kernels/common/progan_math.h), and the CPU
// table's instance.
#include "kernels/common/progan_math.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

void CpuProganKernels::fade_in(const Tensor& old_branch, const Tensor& new_branch, const Tensor& out, double alpha) {
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* a = old_branch.data<T>();
    const T* b = new_branch.data<T>();
    T* o = out.data<T>();
    const T t = static_cast<T>(alpha);
    cpu::parallel_for(out.numel(), cpu::kElementwiseGrain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) o[i] = fade_in_value(a[i], b[i], t);
    });
  });
}

ProganKernels& cpu_progan_kernels() {
  static CpuProganKernels table;
  return table;
}

}  // namespace gg

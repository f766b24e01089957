// Evaluation-mode batch norm (+ ReLU): y = x scale + shift per channel of (outer, C, inner), one
// pass, OpenMP over the (outer, C) runs. Compiled with -ffp-contract=off (engine/CMakeLists.txt), so
// g++ keeps the product and the sum two roundings, as the composed ops (mul, add) make them.
#include <algorithm>
#include <type_traits>

#include "kernels/common/batch_norm_math.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

template <bool Relu, typename T>
void affine_run(const T* __restrict x, T* __restrict y, std::int64_t len, T scale, T shift) {
  for (std::int64_t i = 0; i < len; ++i) y[i] = batch_norm_inference_value<Relu>(x[i], scale, shift);
}

template <bool Relu, typename T>
void inference(const T* x, const T* scale, const T* shift, T* y, std::int64_t outer, std::int64_t c, std::int64_t inner) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, inner));
  cpu::parallel_for(outer * c, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t run = begin; run < end; ++run) {
      const std::int64_t ch = run % c;
      affine_run<Relu>(x + run * inner, y + run * inner, inner, scale[ch], shift[ch]);
    }
  });
}

}  // namespace

void CpuBackend::batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y,
                                      bool relu) {
  if (x.numel() == 0) return;
  const std::int64_t outer = x.size(0), c = x.size(1), inner = x.numel() / (outer * c);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (relu) inference<true>(x.data<T>(), scale.data<T>(), shift.data<T>(), y.data<T>(), outer, c, inner);
    else inference<false>(x.data<T>(), scale.data<T>(), shift.data<T>(), y.data<T>(), outer, c, inner);
  });
}

}  // namespace gg

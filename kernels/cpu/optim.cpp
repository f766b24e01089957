// Fused optimizer updates: one pass over parameter, gradient and state.
#include "kernels/common/optim_math.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

void CpuBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdHyper& h) {
  dispatch_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* buf = momentum_buf.defined() ? momentum_buf.data<T>() : nullptr;
    cpu::parallel_for(param.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
      T unused = 0;
      for (std::int64_t i = b; i < e; ++i) sgd_update(p[i], g[i], buf ? buf[i] : unused, h);
    });
  });
}

void CpuBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                           const AdamHyper& h) {
  dispatch_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* pm = m.data<T>();
    T* pv = v.data<T>();
    cpu::parallel_for(param.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) adam_update(p[i], g[i], pm[i], pv[i], h);
    });
  });
}

}  // namespace gg

// Fused optimizer updates: one pass over parameter, gradient and state, one thread per element,
// with the per-element math of kernels/common/optim_math.h.
#include "kernels/common/optim_math.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

// momentum_buf is null when SGD runs without momentum.
template <typename T>
__global__ void sgd_kernel(T* param, const T* grad, T* momentum_buf, std::int64_t n, SgdHyper h) {
  GG_GRID_STRIDE_LOOP(i, n) {
    T unused = 0;
    sgd_update(param[i], grad[i], momentum_buf ? momentum_buf[i] : unused, h);
  }
}

template <typename T>
__global__ void adam_kernel(T* param, const T* grad, T* m, T* v, std::int64_t n, AdamHyper h) {
  GG_GRID_STRIDE_LOOP(i, n) adam_update(param[i], grad[i], m[i], v[i], h);
}

}  // namespace

void CudaBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdHyper& h) {
  const std::int64_t n = param.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "sgd_step");
  dispatch_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* buf = momentum_buf.defined() ? momentum_buf.data<T>() : nullptr;
    sgd_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(param.data<T>(), grad.data<T>(), buf, n, h);
    GG_CUDA_CHECK_LAUNCH(sgd_kernel);
  });
}

void CudaBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                            const AdamHyper& h) {
  const std::int64_t n = param.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "adam_step");
  dispatch_dtype(param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    adam_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(param.data<T>(), grad.data<T>(), m.data<T>(),
                                                                      v.data<T>(), n, h);
    GG_CUDA_CHECK_LAUNCH(adam_kernel);
  });
}

}  // namespace gg

// Training-mode batch norm (+ ReLU) over the channels of (outer, C, inner): one block per channel
// (grid-stride over the channels). The block's threads walk the channel's outer * inner values in
// a flat order, so neighbouring threads read neighbouring addresses; they sum in double and add
// their partial sums by a tree in shared memory, an order fixed by the shape, so two runs give the
// same bits. A second pass over the channel writes the output. The per-element math is
// kernels/common/batch_norm_math.h, shared with the CPU kernels.
#include "kernels/common/batch_norm_math.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

constexpr int kBlock = 512;

struct Layout {
  std::int64_t outer, c, inner;
  __device__ std::int64_t count() const { return outer * inner; }
  // Element j (in [0, outer * inner)) of channel ch.
  __device__ std::int64_t at(std::int64_t j, std::int64_t ch) const {
    const std::int64_t n = j / inner;
    return (n * c + ch) * inner + (j - n * inner);
  }
};

Layout layout_of(const Tensor& x) {
  const std::int64_t outer = x.size(0), c = x.size(1);
  return {outer, c, x.numel() / (outer * c)};
}

// Replaces a and b by their sums over the block (the same in every thread).
__device__ void block_sum(double& a, double& b) {
  __shared__ double sa[kBlock], sb[kBlock];
  const int t = static_cast<int>(threadIdx.x);
  sa[t] = a;
  sb[t] = b;
  __syncthreads();
  for (int half = kBlock / 2; half > 0; half /= 2) {
    if (t < half) {
      sa[t] += sa[t + half];
      sb[t] += sb[t + half];
    }
    __syncthreads();
  }
  a = sa[0];
  b = sb[0];
  __syncthreads();  // the next channel overwrites the arrays
}

template <bool Relu, typename T>
__global__ void __launch_bounds__(kBlock) batch_norm_forward_kernel(Layout l, const T* x, const T* gamma, const T* beta,
                                                                    T* y, double* mean, double* var, double* invstd,
                                                                    double eps) {
  const std::int64_t count = l.count();
  for (std::int64_t ch = blockIdx.x; ch < l.c; ch += gridDim.x) {
    const auto shift = static_cast<double>(x[l.at(0, ch)]);
    double sum = 0, squares = 0;
    for (std::int64_t j = threadIdx.x; j < count; j += kBlock) {
      const double d = static_cast<double>(x[l.at(j, ch)]) - shift;
      sum += d;
      squares = fma_rn(d, d, squares);
    }
    block_sum(sum, squares);
    const double m = batch_norm_mean(sum, static_cast<double>(count), shift);
    const double v = batch_norm_var(sum, squares, static_cast<double>(count)), inv = batch_norm_invstd(v, eps);
    if (threadIdx.x == 0) {
      mean[ch] = m;
      var[ch] = v;
      invstd[ch] = inv;
    }
    const double scale = batch_norm_scale(inv, gamma[ch]), b = static_cast<double>(beta[ch]);
    for (std::int64_t j = threadIdx.x; j < count; j += kBlock) {
      const std::int64_t i = l.at(j, ch);
      y[i] = batch_norm_value<Relu>(x[i], m, scale, b);
    }
  }
}

template <bool Relu, typename T>
__global__ void __launch_bounds__(kBlock) batch_norm_backward_kernel(Layout l, const T* x, const T* gy, const T* gamma,
                                                                     const T* beta, const double* mean,
                                                                     const double* invstd, T* gx, T* ggamma, T* gbeta) {
  const std::int64_t count = l.count();
  for (std::int64_t ch = blockIdx.x; ch < l.c; ch += gridDim.x) {
    const double m = mean[ch], inv = invstd[ch];
    const double scale = batch_norm_scale(inv, gamma[ch]), b = static_cast<double>(beta[ch]);
    double sum = 0, dot = 0;  // of g and of g (x - mean)
    for (std::int64_t j = threadIdx.x; j < count; j += kBlock) {
      const std::int64_t i = l.at(j, ch);
      const double g = batch_norm_grad_z<Relu>(gy[i], x[i], m, scale, b);
      sum += g;
      dot = fma_rn(g, static_cast<double>(x[i]) - m, dot);
    }
    block_sum(sum, dot);
    if (threadIdx.x == 0) {
      gbeta[ch] = static_cast<T>(sum);
      ggamma[ch] = static_cast<T>(dot * inv);
    }
    const BatchNormGradCoefs k = batch_norm_grad_coefs(scale, inv, sum, dot, static_cast<double>(count));
    for (std::int64_t j = threadIdx.x; j < count; j += kBlock) {
      const std::int64_t i = l.at(j, ch);
      gx[i] = batch_norm_input_grad(batch_norm_grad_z<Relu>(gy[i], x[i], m, scale, b), x[i], m, k);
    }
  }
}

// Evaluation mode: elementwise, grid-stride over (outer, C, inner).
template <bool Relu, typename T>
__global__ void batch_norm_inference_kernel(const T* x, const T* scale, const T* shift, T* y, std::int64_t c,
                                            std::int64_t inner, std::int64_t n) {
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t ch = (i / inner) % c;
    y[i] = batch_norm_inference_value<Relu>(x[i], scale[ch], shift[ch]);
  }
}

unsigned blocks_for_channels(const Layout& l) { return cuda::blocks_for(l.c * kBlock, kBlock); }

}  // namespace

void CudaBackend::batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y,
                                     const Tensor& mean, const Tensor& var, const Tensor& invstd, double eps, bool relu) {
  if (x.numel() == 0) return;
  const DeviceScope scope(device_, "batch_norm_forward");
  const Layout l = layout_of(x);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto kernel) {
      kernel<<<blocks_for_channels(l), kBlock, 0, stream_>>>(l, x.data<T>(), gamma.data<T>(), beta.data<T>(), y.data<T>(),
                                                            mean.data<double>(), var.data<double>(),
                                                            invstd.data<double>(), eps);
    };
    if (relu) launch(batch_norm_forward_kernel<true, T>);
    else launch(batch_norm_forward_kernel<false, T>);
    GG_CUDA_CHECK_LAUNCH(batch_norm_forward_kernel);
  });
}

void CudaBackend::batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y,
                                       bool relu) {
  const std::int64_t n = x.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "batch_norm_inference");
  const std::int64_t c = x.size(1), inner = n / (x.size(0) * c);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto kernel) {
      kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(x.data<T>(), scale.data<T>(), shift.data<T>(),
                                                                  y.data<T>(), c, inner, n);
    };
    if (relu) launch(batch_norm_inference_kernel<true, T>);
    else launch(batch_norm_inference_kernel<false, T>);
    GG_CUDA_CHECK_LAUNCH(batch_norm_inference_kernel);
  });
}

void CudaBackend::batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta,
                                      const Tensor& mean, const Tensor& invstd, const Tensor& gx, const Tensor& ggamma,
                                      const Tensor& gbeta, bool relu) {
  if (x.numel() == 0) return;
  const DeviceScope scope(device_, "batch_norm_backward");
  const Layout l = layout_of(x);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    auto launch = [&](auto kernel) {
      kernel<<<blocks_for_channels(l), kBlock, 0, stream_>>>(l, x.data<T>(), gy.data<T>(), gamma.data<T>(), beta.data<T>(),
                                                            mean.data<double>(), invstd.data<double>(), gx.data<T>(),
                                                            ggamma.data<T>(),
                                                            gbeta.data<T>());
    };
    if (relu) launch(batch_norm_backward_kernel<true, T>);
    else launch(batch_norm_backward_kernel<false, T>);
    GG_CUDA_CHECK_LAUNCH(batch_norm_backward_kernel);
  });
}

}  // namespace gg

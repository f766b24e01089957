// 2x nearest upsampling, 2x2 average and max pooling on NCHW: one thread per output element.
#include "kernels/common/pool_math.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

// y (planes, 2h, 2w) from x (planes, h, w).
template <typename T>
__global__ void upsample_nearest2x_kernel(const T* x, T* y, std::int64_t h, std::int64_t w, std::int64_t n) {
  const std::int64_t out_w = 2 * w, out_h = 2 * h;
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t j = i % out_w, row = (i / out_w) % out_h, plane = i / (out_w * out_h);
    y[i] = x[(plane * h + row / 2) * w + j / 2];
  }
}

// y (planes, h/2, w/2): the mean of each 2x2 window, summed in the CPU kernel's order.
template <typename T>
__global__ void avg_pool2x2_kernel(const T* x, T* y, std::int64_t h, std::int64_t w, std::int64_t n) {
  const std::int64_t out_w = w / 2, out_h = h / 2;
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t j = i % out_w, row = (i / out_w) % out_h, plane = i / (out_w * out_h);
    const T* r0 = x + (plane * h + 2 * row) * w + 2 * j;
    const T* r1 = r0 + w;
    y[i] = ((r0[0] + r0[1]) + (r1[0] + r1[1])) * T(0.25);
  }
}

// y as above with the window's maximum; mask (shape of x, or null) 1 where the maximum was taken from.
template <typename T>
__global__ void max_pool2x2_kernel(const T* x, T* y, T* mask, std::int64_t h, std::int64_t w, std::int64_t n) {
  const std::int64_t out_w = w / 2, out_h = h / 2;
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t j = i % out_w, row = (i / out_w) % out_h, plane = i / (out_w * out_h);
    const std::int64_t top = (plane * h + 2 * row) * w + 2 * j, bottom = top + w;
    const T a = x[top], b = x[top + 1], c = x[bottom], d = x[bottom + 1];
    const int pick = max_pool_pick(a, b, c, d);
    y[i] = max_pool_value(a, b, c, d);
    if (mask == nullptr) continue;  // no backward to serve
    mask[top] = pick == 0 ? T(1) : T(0);
    mask[top + 1] = pick == 1 ? T(1) : T(0);
    mask[bottom] = pick == 2 ? T(1) : T(0);
    mask[bottom + 1] = pick == 3 ? T(1) : T(0);
  }
}

// gx (planes, h, w) = g (planes, h/2, w/2) upsampled, times the mask: the product
// mul(upsample_nearest2x(g), mask) makes.
template <typename T>
__global__ void max_pool2x2_backward_kernel(const T* g, const T* mask, T* gx, std::int64_t h, std::int64_t w,
                                            std::int64_t n) {
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t j = i % w, row = (i / w) % h, plane = i / (w * h);
    gx[i] = g[(plane * (h / 2) + row / 2) * (w / 2) + j / 2] * mask[i];
  }
}

}  // namespace

void CudaBackend::upsample_nearest2x(const Tensor& x, const Tensor& y) {
  const std::int64_t n = y.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "upsample_nearest2x");
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    upsample_nearest2x_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(x.data<T>(), y.data<T>(),
                                                                                    x.size(2), x.size(3), n);
    GG_CUDA_CHECK_LAUNCH(upsample_nearest2x_kernel);
  });
}

void CudaBackend::avg_pool2x2(const Tensor& x, const Tensor& y) {
  const std::int64_t n = y.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "avg_pool2x2");
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    avg_pool2x2_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(x.data<T>(), y.data<T>(), x.size(2),
                                                                             x.size(3), n);
    GG_CUDA_CHECK_LAUNCH(avg_pool2x2_kernel);
  });
}

void CudaBackend::max_pool2x2(const Tensor& x, const Tensor& y, const Tensor& mask) {
  const std::int64_t n = y.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "max_pool2x2");
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    max_pool2x2_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(x.data<T>(), y.data<T>(),
                                                                             mask.defined() ? mask.data<T>() : nullptr,
                                                                             x.size(2), x.size(3), n);
    GG_CUDA_CHECK_LAUNCH(max_pool2x2_kernel);
  });
}

void CudaBackend::max_pool2x2_backward(const Tensor& g, const Tensor& mask, const Tensor& gx) {
  const std::int64_t n = gx.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "max_pool2x2_backward");
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    max_pool2x2_backward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(
        g.data<T>(), mask.data<T>(), gx.data<T>(), mask.size(2), mask.size(3), n);
    GG_CUDA_CHECK_LAUNCH(max_pool2x2_backward_kernel);
  });
}

}  // namespace gg

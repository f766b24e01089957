// Fill, dtype conversion, unary and broadcasting binary ops, expand: one thread per output element.
#include <stdexcept>
#include <string>

#include "kernels/common/broadcast.h"
#include "kernels/common/elementwise_math.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

template <typename T>
__global__ void fill_kernel(T* out, std::int64_t n, T value) {
  GG_GRID_STRIDE_LOOP(i, n) out[i] = value;
}

template <typename S, typename D>
__global__ void convert_kernel(const S* src, D* dst, std::int64_t n) {
  GG_GRID_STRIDE_LOOP(i, n) dst[i] = static_cast<D>(src[i]);
}

template <UnaryOp Op, typename T>
__global__ void unary_kernel(const T* x, T* y, std::int64_t n, T alpha) {
  GG_GRID_STRIDE_LOOP(i, n) y[i] = unary_apply<Op>(x[i], alpha);
}

// The plan collapsed to one dim (same shapes, or one operand a scalar): strides are 0 or 1.
template <BinaryOp Op, typename T>
__global__ void binary_flat_kernel(const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, std::int64_t n) {
  GG_GRID_STRIDE_LOOP(i, n) out[i] = binary_apply<Op>(a[i * sa], b[i * sb]);
}

// Any broadcast: the output index splits into a row of the plan and a column of its inner dim.
template <BinaryOp Op, typename T>
__global__ void binary_broadcast_kernel(BroadcastPlan plan, const T* a, const T* b, T* out, std::int64_t n) {
  const std::int64_t inner = plan.inner();
  const std::int64_t sa = plan.stride_a[plan.rank - 1], sb = plan.stride_b[plan.rank - 1];
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t row = i / inner, col = i - row * inner;
    std::int64_t off_a, off_b;
    plan.row_offsets(row, off_a, off_b);
    out[i] = binary_apply<Op>(a[off_a + col * sa], b[off_b + col * sb]);
  }
}

template <typename T>
__global__ void expand_kernel(BroadcastPlan plan, const T* x, T* out, std::int64_t n) {
  const std::int64_t inner = plan.inner(), sx = plan.stride_a[plan.rank - 1];
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t row = i / inner, col = i - row * inner;
    std::int64_t off_x, unused;
    plan.row_offsets(row, off_x, unused);
    out[i] = x[off_x + col * sx];
  }
}

}  // namespace

void CudaBackend::fill(const Tensor& t, double value) {
  const std::int64_t n = t.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "fill");
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    fill_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(t.data<T>(), n, static_cast<T>(value));
    GG_CUDA_CHECK_LAUNCH(fill_kernel);
  });
}

void CudaBackend::convert(const Tensor& src, const Tensor& dst) {
  const std::int64_t n = src.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "convert");
  dispatch_dtype(src.dtype(), [&](auto src_tag) {
    dispatch_dtype(dst.dtype(), [&](auto dst_tag) {
      using S = decltype(src_tag);
      using D = decltype(dst_tag);
      convert_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(src.data<S>(), dst.data<D>(), n);
      GG_CUDA_CHECK_LAUNCH(convert_kernel);
    });
  });
}

void CudaBackend::unary(UnaryOp op, const Tensor& x, const Tensor& y, double alpha) {
  const std::int64_t n = x.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "unary");
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    dispatch_unary(op, [&](auto kind) {
      unary_kernel<decltype(kind)::value><<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(
          x.data<T>(), y.data<T>(), n, static_cast<T>(alpha));
      GG_CUDA_CHECK_LAUNCH(unary_kernel);
    });
  });
}

void CudaBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  const std::int64_t n = out.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "binary");
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), a.shape(), b.shape());
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    dispatch_binary(op, [&](auto kind) {
      constexpr BinaryOp kOp = decltype(kind)::value;
      if (plan.rank == 1) {
        binary_flat_kernel<kOp><<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(
            a.data<T>(), plan.stride_a[0], b.data<T>(), plan.stride_b[0], out.data<T>(), n);
        GG_CUDA_CHECK_LAUNCH(binary_flat_kernel);
      } else {
        binary_broadcast_kernel<kOp><<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(
            plan, a.data<T>(), b.data<T>(), out.data<T>(), n);
        GG_CUDA_CHECK_LAUNCH(binary_broadcast_kernel);
      }
    });
  });
}

void CudaBackend::expand(const Tensor& x, const Tensor& out) {
  const std::int64_t n = out.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "expand");
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), x.shape(), x.shape());
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    expand_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream_>>>(plan, x.data<T>(), out.data<T>(), n);
    GG_CUDA_CHECK_LAUNCH(expand_kernel);
  });
}

}  // namespace gg

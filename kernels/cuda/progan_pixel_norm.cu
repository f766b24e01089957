// Pixel norm over the channels of (outer, C, inner). A block holds positions_per_block positions
// (threadIdx.x, neighbours in memory when inner is large, so a warp's loads coalesce) times
// `splits` threads per position (threadIdx.y), each summing its own run of channels; the runs'
// sums are added in order through shared memory (kernels/common/progan_plan.h). The second pass
// re-reads the position's channels, which the first just brought into the caches.
#include "kernels/common/progan_math.h"
#include "kernels/common/progan_plan.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

// Position p of the current tile, its first element, and this thread's run of channels.
struct Slot {
  std::int64_t p, base, begin, end;
  bool active;
};

__device__ Slot slot_for(const PixelNormPlan& plan, std::int64_t tile) {
  const int split = static_cast<int>(threadIdx.y);
  const std::int64_t p = tile * plan.positions_per_block() + threadIdx.x;
  const bool active = p < plan.positions();
  return {p, active ? plan.base(p) : 0, plan.split_begin(split), plan.split_end(split), active};
}

// Adds column threadIdx.x of sums[split][position] over the splits in order, from 0.
__device__ double sum_splits(const double* sums, const PixelNormPlan& plan) {
  double total = 0;
  for (int s = 0; s < plan.splits; ++s) total += sums[s * plan.positions_per_block() + threadIdx.x];
  return total;
}

template <typename T>
__global__ void __launch_bounds__(kPixelNormBlock) pixel_norm_forward_kernel(PixelNormPlan plan, const T* x, T* y,
                                                                             double eps) {
  __shared__ double sums[kPixelNormBlock];  // [split][position]; then r in row 0
  const int width = plan.positions_per_block();
  const int cell = static_cast<int>(threadIdx.y) * width + static_cast<int>(threadIdx.x);
  const auto c = static_cast<double>(plan.channels);
  for (std::int64_t tile = blockIdx.x; tile < plan.tiles(); tile += gridDim.x) {
    const Slot s = slot_for(plan, tile);
    double acc = 0;
    if (s.active)
      for (std::int64_t ch = s.begin; ch < s.end; ++ch) acc = add_square(acc, static_cast<double>(x[s.base + ch * plan.inner]));
    sums[cell] = acc;
    __syncthreads();
    // Row 0 then holds r; each (row 0) thread reads its own column only before overwriting its cell.
    if (threadIdx.y == 0) sums[threadIdx.x] = pixel_norm_rsqrt(sum_splits(sums, plan), c, eps);
    __syncthreads();
    const double r = sums[threadIdx.x];
    if (s.active)
      for (std::int64_t ch = s.begin; ch < s.end; ++ch) {
        const std::int64_t i = s.base + ch * plan.inner;
        y[i] = pixel_norm_value(x[i], r);
      }
    __syncthreads();  // the next tile overwrites sums
  }
}

template <typename T>
__global__ void __launch_bounds__(kPixelNormBlock) pixel_norm_backward_kernel(PixelNormPlan plan, const T* x, const T* g,
                                                                              T* gx, double eps) {
  __shared__ double squares[kPixelNormBlock], dots[kPixelNormBlock];  // [split][position]; then r, k in row 0
  const int width = plan.positions_per_block();
  const int cell = static_cast<int>(threadIdx.y) * width + static_cast<int>(threadIdx.x);
  const auto c = static_cast<double>(plan.channels);
  for (std::int64_t tile = blockIdx.x; tile < plan.tiles(); tile += gridDim.x) {
    const Slot s = slot_for(plan, tile);
    double sq = 0, dot = 0;
    if (s.active)
      for (std::int64_t ch = s.begin; ch < s.end; ++ch) {
        const std::int64_t i = s.base + ch * plan.inner;
        const double xv = static_cast<double>(x[i]);
        sq = add_square(sq, xv);
        dot = add_product(dot, xv, static_cast<double>(g[i]));
      }
    squares[cell] = sq;
    dots[cell] = dot;
    __syncthreads();
    if (threadIdx.y == 0) {
      const double r = pixel_norm_rsqrt(sum_splits(squares, plan), c, eps);
      dots[threadIdx.x] = pixel_norm_grad_coef(r, sum_splits(dots, plan), c);
      squares[threadIdx.x] = r;
    }
    __syncthreads();
    const double r = squares[threadIdx.x], k = dots[threadIdx.x];
    if (s.active)
      for (std::int64_t ch = s.begin; ch < s.end; ++ch) {
        const std::int64_t i = s.base + ch * plan.inner;
        gx[i] = pixel_norm_grad(x[i], g[i], r, k);
      }
    __syncthreads();
  }
}

PixelNormPlan plan_for(const Tensor& x) {
  const std::int64_t outer = x.size(0), c = x.size(1);
  return make_pixel_norm_plan(outer, c, x.numel() / (outer * c));
}

dim3 block_for(const PixelNormPlan& plan) {
  return {static_cast<unsigned>(plan.positions_per_block()), static_cast<unsigned>(plan.splits)};
}

}  // namespace

void CudaProganKernels::pixel_norm_forward(const Tensor& x, const Tensor& y, double eps) {
  if (x.numel() == 0) return;
  CudaBackend& b = cuda::backend_of(x);
  const DeviceScope scope(b.device(), "pixel_norm_forward");
  const PixelNormPlan plan = plan_for(x);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    pixel_norm_forward_kernel<<<cuda::blocks_for(plan.tiles(), 1), block_for(plan), 0, b.stream()>>>(
        plan, x.data<T>(), y.data<T>(), eps);
    GG_CUDA_CHECK_LAUNCH(pixel_norm_forward_kernel);
  });
}

void CudaProganKernels::pixel_norm_backward(const Tensor& x, const Tensor& g, const Tensor& gx, double eps) {
  if (x.numel() == 0) return;
  CudaBackend& b = cuda::backend_of(x);
  const DeviceScope scope(b.device(), "pixel_norm_backward");
  const PixelNormPlan plan = plan_for(x);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    pixel_norm_backward_kernel<<<cuda::blocks_for(plan.tiles(), 1), block_for(plan), 0, b.stream()>>>(
        plan, x.data<T>(), g.data<T>(), gx.data<T>(), eps);
    GG_CUDA_CHECK_LAUNCH(pixel_norm_backward_kernel);
  });
}

}  // namespace gg

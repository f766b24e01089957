// sum_reduce: deterministic sums over any set of dims (kernels/common/reduce_plan.h). Terms are
// accumulated in double in an order fixed by the shapes alone: each thread sums its terms in
// sequence, a block combines its threads in a fixed tree, and segment partials are added in order.
// No floating-point atomics, so two runs give the same bits.
#include "kernels/common/reduce_plan.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

constexpr int kReduceThreads = 256;

// The sum of v over the block, by a fixed pairwise tree; every thread gets the result.
__device__ double block_sum(double v) {
  __shared__ double partial[kReduceThreads];
  partial[threadIdx.x] = v;
  __syncthreads();
  for (int stride = kReduceThreads / 2; stride > 0; stride /= 2) {
    if (static_cast<int>(threadIdx.x) < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const double total = partial[0];
  __syncthreads();  // the next call may overwrite partial
  return total;
}

// One block per (output, segment): threads stride through the segment's terms, which lie next to
// each other in x when the innermost run is summed. Writes out[segment * outputs + output].
template <typename T, typename Out>
__global__ void __launch_bounds__(kReduceThreads) reduce_blocks_kernel(ReducePlan plan, const T* x, Out* out) {
  const std::int64_t items = plan.outputs * plan.segments;
  for (std::int64_t item = blockIdx.x; item < items; item += gridDim.x) {
    const std::int64_t o = item % plan.outputs, seg = item / plan.outputs;
    const std::int64_t begin = seg * plan.segment_length;
    const std::int64_t end = begin + plan.segment_length < plan.reduced ? begin + plan.segment_length : plan.reduced;
    const T* base = x + plan.kept_offset(o);
    double acc = 0;
    for (std::int64_t r = begin + threadIdx.x; r < end; r += kReduceThreads)
      acc += static_cast<double>(base[plan.reduced_offset(r)]);
    const double total = block_sum(acc);
    if (threadIdx.x == 0) out[seg * plan.outputs + o] = static_cast<Out>(total);
  }
}

// One thread per (output, segment), outputs fastest so that a warp reads neighbouring elements
// when the innermost run is kept. Writes out[segment * outputs + output].
template <typename T, typename Out>
__global__ void reduce_threads_kernel(ReducePlan plan, const T* x, Out* out) {
  GG_GRID_STRIDE_LOOP(item, plan.outputs * plan.segments) {
    const std::int64_t o = item % plan.outputs, seg = item / plan.outputs;
    const std::int64_t begin = seg * plan.segment_length;
    const std::int64_t end = begin + plan.segment_length < plan.reduced ? begin + plan.segment_length : plan.reduced;
    const T* base = x + plan.kept_offset(o);
    double acc = 0;
    for (std::int64_t r = begin; r < end; ++r) acc += static_cast<double>(base[plan.reduced_offset(r)]);
    out[item] = static_cast<Out>(acc);
  }
}

// out[o] = the segment partials of output o, added in segment order.
template <typename T>
__global__ void sum_segments_kernel(const double* partial, std::int64_t outputs, std::int64_t segments, T* out) {
  GG_GRID_STRIDE_LOOP(o, outputs) {
    double acc = 0;
    for (std::int64_t s = 0; s < segments; ++s) acc += partial[s * outputs + o];
    out[o] = static_cast<T>(acc);
  }
}

}  // namespace

void CudaBackend::sum_reduce(const Tensor& x, const Tensor& out) {
  if (out.numel() == 0) return;
  if (x.numel() == 0) {
    fill(out, 0.0);
    return;
  }
  const DeviceScope scope(device_, "sum_reduce");
  const ReducePlan plan = make_reduce_plan(x.shape().data(), out.shape().data(), x.dim());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::int64_t items = plan.outputs * plan.segments;
    auto run = [&](auto* dst) {
      if (plan.use_blocks) {
        reduce_blocks_kernel<<<cuda::blocks_for(items, 1), kReduceThreads, 0, stream_>>>(plan, x.data<T>(), dst);
        GG_CUDA_CHECK_LAUNCH(reduce_blocks_kernel);
      } else {
        reduce_threads_kernel<<<cuda::blocks_for(items), cuda::kThreads, 0, stream_>>>(plan, x.data<T>(), dst);
        GG_CUDA_CHECK_LAUNCH(reduce_threads_kernel);
      }
    };
    if (plan.segments == 1) {
      run(out.data<T>());
      return;
    }
    const Scratch partial(*this, static_cast<std::size_t>(items) * sizeof(double));
    run(partial.as<double>());
    sum_segments_kernel<<<cuda::blocks_for(plan.outputs), cuda::kThreads, 0, stream_>>>(
        partial.as<double>(), plan.outputs, plan.segments, out.data<T>());
    GG_CUDA_CHECK_LAUNCH(sum_segments_kernel);
  });
}

}  // namespace gg

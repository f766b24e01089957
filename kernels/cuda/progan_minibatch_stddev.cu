// Minibatch standard deviation: x (N, C, H, W) read as (G, M, F), group m = samples m, m+M, ...
// Forward: a block per (group, feature chunk) sums the chunk's stds (and copies its features into
// y), then one thread per element of the appended channel adds the group's chunk sums in order.
// Backward: a block per group sums the appended channel's gradient, then one thread per (group,
// feature) writes the group's G input gradients. Orders: kernels/common/progan_plan.h.
#include "kernels/common/progan_math.h"
#include "kernels/common/progan_plan.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

// The sum of v over the block, by the fixed pairwise tree of the plan; every thread gets it.
__device__ double block_sum(double v) {
  __shared__ double lanes[kStddevThreads];
  lanes[threadIdx.x] = v;
  __syncthreads();
  for (int stride = kStddevThreads / 2; stride > 0; stride /= 2) {
    if (static_cast<int>(threadIdx.x) < stride) lanes[threadIdx.x] += lanes[threadIdx.x + stride];
    __syncthreads();
  }
  const double total = lanes[0];
  __syncthreads();  // the next call may overwrite lanes
  return total;
}

// partial[m * chunks + chunk] = the chunk's sum of stds; y's first F features of every sample = x's.
template <typename T>
__global__ void __launch_bounds__(kStddevThreads) stddev_partials_kernel(StddevPlan plan, const T* x, T* y,
                                                                         double* partial) {
  const std::int64_t stride = plan.members * plan.features;
  for (std::int64_t item = blockIdx.x; item < plan.members * plan.chunks; item += gridDim.x) {
    const std::int64_t m = item / plan.chunks, chunk = item % plan.chunks;
    double acc = 0;
    for (std::int64_t f = chunk * kStddevChunk + threadIdx.x; f < plan.chunk_end(chunk); f += kStddevThreads) {
      double mean, sd;
      group_stats(x + m * plan.features + f, plan.group, stride, mean, sd);
      acc += sd;
      for (std::int64_t g = 0; g < plan.group; ++g) {
        const std::int64_t n = g * plan.members + m;
        y[n * plan.y_sample() + f] = x[n * plan.features + f];
      }
    }
    const double total = block_sum(acc);
    if (threadIdx.x == 0) partial[item] = total;
  }
}

// The appended channel (N, 1, H, W) of y: group m's chunk sums added in order, over F.
template <typename T>
__global__ void stddev_fill_kernel(StddevPlan plan, const double* partial, T* y) {
  GG_GRID_STRIDE_LOOP(i, plan.group * plan.members * plan.plane) {
    const std::int64_t n = i / plan.plane, px = i % plan.plane, m = n % plan.members;
    double sum = 0;
    for (std::int64_t chunk = 0; chunk < plan.chunks; ++chunk) sum += partial[m * plan.chunks + chunk];
    y[n * plan.y_sample() + plan.features + px] = stddev_channel_value<T>(sum, plan.features);
  }
}

// coef[m] from the appended channel's gradient over group m's samples and pixels.
template <typename T>
__global__ void __launch_bounds__(kStddevThreads) stddev_coef_kernel(StddevPlan plan, const T* gy, double* coef) {
  const std::int64_t terms = plan.group * plan.plane;
  for (std::int64_t m = blockIdx.x; m < plan.members; m += gridDim.x) {
    double acc = 0;
    for (std::int64_t j = threadIdx.x; j < terms; j += kStddevThreads) {
      const std::int64_t g = j / plan.plane, px = j % plan.plane;
      acc += static_cast<double>(gy[(g * plan.members + m) * plan.y_sample() + plan.features + px]);
    }
    const double total = block_sum(acc);
    if (threadIdx.x == 0) coef[m] = stddev_grad_coef(total, plan.features, plan.group);
  }
}

// One thread per (group m, feature f): the group's statistics once, then its G input gradients.
template <typename T>
__global__ void stddev_backward_kernel(StddevPlan plan, const T* x, const T* gy, const double* coef, T* gx) {
  const std::int64_t stride = plan.members * plan.features;
  GG_GRID_STRIDE_LOOP(item, stride) {
    const std::int64_t m = item / plan.features, f = item % plan.features;
    double mean, sd;
    group_stats(x + item, plan.group, stride, mean, sd);
    const double factor = coef[m] / sd;
    for (std::int64_t g = 0; g < plan.group; ++g) {
      const std::int64_t n = g * plan.members + m;
      gx[n * plan.features + f] = stddev_input_grad(gy[n * plan.y_sample() + f], x[n * plan.features + f], mean, factor);
    }
  }
}

// Device memory for one call's partial sums, back to the backend's cache when it goes out of scope
// (at once is safe: later users queue on the same stream).
class Partials {
 public:
  Partials(CudaBackend& backend, std::int64_t count)
      : backend_(backend), data_(static_cast<double*>(backend.allocate(static_cast<std::size_t>(count) * sizeof(double)))) {}
  ~Partials() { backend_.deallocate(data_, 0); }
  Partials(const Partials&) = delete;
  Partials& operator=(const Partials&) = delete;
  double* get() const { return data_; }

 private:
  CudaBackend& backend_;
  double* data_;
};

StddevPlan plan_for(const Tensor& x, int group) {
  return make_stddev_plan(x.size(0), x.size(1), x.size(2), x.size(3), group);
}

}  // namespace

void CudaProganKernels::minibatch_stddev_forward(const Tensor& x, const Tensor& y, int group) {
  if (x.numel() == 0) return;
  CudaBackend& b = cuda::backend_of(x);
  const DeviceScope scope(b.device(), "minibatch_stddev_forward");
  const StddevPlan plan = plan_for(x, group);
  const Partials partial(b, plan.members * plan.chunks);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    stddev_partials_kernel<<<cuda::blocks_for(plan.members * plan.chunks, 1), kStddevThreads, 0, b.stream()>>>(
        plan, x.data<T>(), y.data<T>(), partial.get());
    GG_CUDA_CHECK_LAUNCH(stddev_partials_kernel);
    stddev_fill_kernel<<<cuda::blocks_for(x.size(0) * plan.plane), cuda::kThreads, 0, b.stream()>>>(
        plan, partial.get(), y.data<T>());
    GG_CUDA_CHECK_LAUNCH(stddev_fill_kernel);
  });
}

void CudaProganKernels::minibatch_stddev_backward(const Tensor& x, const Tensor& gy, const Tensor& gx, int group) {
  if (x.numel() == 0) return;
  CudaBackend& b = cuda::backend_of(x);
  const DeviceScope scope(b.device(), "minibatch_stddev_backward");
  const StddevPlan plan = plan_for(x, group);
  const Partials coef(b, plan.members);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    stddev_coef_kernel<<<cuda::blocks_for(plan.members, 1), kStddevThreads, 0, b.stream()>>>(plan, gy.data<T>(),
                                                                                             coef.get());
    GG_CUDA_CHECK_LAUNCH(stddev_coef_kernel);
    stddev_backward_kernel<<<cuda::blocks_for(plan.members * plan.features), cuda::kThreads, 0, b.stream()>>>(
        plan, x.data<T>(), gy.data<T>(), coef.get(), gx.data<T>());
    GG_CUDA_CHECK_LAUNCH(stddev_backward_kernel);
  });
}

}  // namespace gg

// Row-wise log-softmax, one warp per row: y = x - max - log(sum exp(x - max)), the sum in double.
// Lanes combine by a butterfly of shuffles; a + b == b + a exactly, so every lane ends with the
// same sum and the result does not depend on scheduling.
#include <cmath>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;

template <typename T>
__device__ T larger(T a, T b) {
  return a < b ? b : a;  // std::max's rule, as the CPU kernel
}

template <typename T>
__global__ void log_softmax_kernel(const T* x, T* y, std::int64_t rows, std::int64_t cols) {
  const int lane = static_cast<int>(threadIdx.x) % kWarp;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarp;
  // The row is the same for all lanes of a warp, so the shuffles below see every lane.
  for (std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; r < rows;
       r += warps) {
    const T* in = x + r * cols;
    T* out = y + r * cols;
    T mx = in[0];
    for (std::int64_t c = lane; c < cols; c += kWarp) mx = larger(mx, in[c]);
    for (int step = kWarp / 2; step > 0; step /= 2) mx = larger(mx, __shfl_xor_sync(kFullMask, mx, step));
    double s = 0;
    for (std::int64_t c = lane; c < cols; c += kWarp) s += exp(static_cast<double>(in[c] - mx));
    for (int step = kWarp / 2; step > 0; step /= 2) s += __shfl_xor_sync(kFullMask, s, step);
    const T shift = mx + static_cast<T>(log(s));
    for (std::int64_t c = lane; c < cols; c += kWarp) out[c] = in[c] - shift;
  }
}

}  // namespace

void CudaBackend::log_softmax(const Tensor& x, const Tensor& y) {
  const std::int64_t rows = x.size(0), cols = x.size(1);
  if (rows == 0 || cols == 0) return;
  const DeviceScope scope(device_, "log_softmax");
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    log_softmax_kernel<<<cuda::blocks_for(rows * kWarp), cuda::kThreads, 0, stream_>>>(x.data<T>(), y.data<T>(),
                                                                                        rows, cols);
    GG_CUDA_CHECK_LAUNCH(log_softmax_kernel);
  });
}

}  // namespace gg

// Philox random fills on the device: the same numbers as the CPU backend for the same (seed,
// offset), because both evaluate kernels/common/philox.h and random_math.h. One thread per Philox
// block (uniform, dropout) or per normal pair.
//
// The affine maps lo + (hi - lo) u and mean + stddev z are written as explicit fused
// multiply-adds: that is what the CPU build computes (GCC contracts a + b * c into an FMA under
// -march=native), so the double results, and the values rounded from them, agree to the bit.
#include <cmath>

#include "kernels/common/random_math.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"

namespace gg {

namespace {

template <typename T>
__global__ void uniform_kernel(T* out, std::int64_t n, std::uint64_t seed, std::uint64_t offset, double lo, double hi) {
  GG_GRID_STRIDE_LOOP(blk, (n + 3) / 4) {
    const philox::Block words = philox::block_at(seed, offset + static_cast<std::uint64_t>(blk));
    for (int k = 0; k < 4 && blk * 4 + k < n; ++k)
      out[blk * 4 + k] = static_cast<T>(philox::uniform_in(words.v[k], lo, hi));
  }
}

template <typename T>
__global__ void normal_kernel(T* out, std::int64_t n, std::uint64_t seed, std::uint64_t offset, double mean,
                              double stddev) {
  GG_GRID_STRIDE_LOOP(j, (n + 1) / 2) {
    double z0, z1;
    philox::normal_pair(seed, offset, static_cast<std::uint64_t>(j), z0, z1);
    out[2 * j] = static_cast<T>(philox::scaled_normal(z0, mean, stddev));
    if (2 * j + 1 < n) out[2 * j + 1] = static_cast<T>(philox::scaled_normal(z1, mean, stddev));
  }
}

template <typename T>
__global__ void dropout_kernel(T* out, std::int64_t n, std::uint64_t seed, std::uint64_t offset, double p) {
  GG_GRID_STRIDE_LOOP(blk, (n + 3) / 4) {
    const philox::Block words = philox::block_at(seed, offset + static_cast<std::uint64_t>(blk));
    for (int k = 0; k < 4 && blk * 4 + k < n; ++k)
      out[blk * 4 + k] = static_cast<T>(philox::dropout_value(words.v[k], p));
  }
}

}  // namespace

void CudaBackend::random_uniform(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double lo, double hi) {
  const std::int64_t n = t.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "random_uniform");
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    uniform_kernel<<<cuda::blocks_for((n + 3) / 4), cuda::kThreads, 0, stream_>>>(t.data<T>(), n, seed, offset, lo, hi);
    GG_CUDA_CHECK_LAUNCH(uniform_kernel);
  });
}

void CudaBackend::random_normal(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double mean,
                                double stddev) {
  const std::int64_t n = t.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "random_normal");
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    normal_kernel<<<cuda::blocks_for((n + 1) / 2), cuda::kThreads, 0, stream_>>>(t.data<T>(), n, seed, offset, mean,
                                                                                  stddev);
    GG_CUDA_CHECK_LAUNCH(normal_kernel);
  });
}

void CudaBackend::dropout_mask(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double p) {
  const std::int64_t n = t.numel();
  if (n == 0) return;
  const DeviceScope scope(device_, "dropout_mask");
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    dropout_kernel<<<cuda::blocks_for((n + 3) / 4), cuda::kThreads, 0, stream_>>>(t.data<T>(), n, seed, offset, p);
    GG_CUDA_CHECK_LAUNCH(dropout_kernel);
  });
}

}  // namespace gg

#pragma once
// Launch geometry shared by the hand-written kernels (CUDA sources only).
#include <algorithm>
#include <cstdint>

namespace gg::cuda {

constexpr int kThreads = 256;  // threads per block for the one-element-per-thread kernels

// Blocks for n elements at kThreads each, capped: kernels loop over the rest (grid-stride), so a
// huge tensor does not need a huge grid.
inline unsigned blocks_for(std::int64_t n, int threads = kThreads) {
  constexpr std::int64_t kMaxBlocks = 1 << 16;
  return static_cast<unsigned>(std::clamp<std::int64_t>((n + threads - 1) / threads, 1, kMaxBlocks));
}

}  // namespace gg::cuda

// for (i = this thread's first index; i < n; i += all threads in the grid)
#define GG_GRID_STRIDE_LOOP(i, n)                                                                    \
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<std::int64_t>(blockDim.x) * gridDim.x)

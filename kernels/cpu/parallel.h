#pragma once
// parallel_for over [0, n) in chunks of at least `grain`: OpenMP's static schedule, so each index
// is always handled the same way and results never depend on the thread count.
#include <algorithm>
#include <cstdint>

namespace gg::cpu {

template <typename F>
void parallel_for(std::int64_t n, std::int64_t grain, F&& body) {
  if (n <= 0) return;
  if (n <= grain) {
    body(std::int64_t{0}, n);
    return;
  }
  const std::int64_t chunks = (n + grain - 1) / grain;
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < chunks; ++c) body(c * grain, std::min(n, (c + 1) * grain));
}

// Elements per chunk for memory-bound loops: large enough that threading pays for itself.
constexpr std::int64_t kElementwiseGrain = 1 << 15;

}  // namespace gg::cpu

// Philox-backed random fills: each 4-element block is independent, so the loop parallelises and
// the numbers do not depend on the thread count.
#include "kernels/common/random_math.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

// Calls f(i, word_i) for every element, one Philox block per four elements.
template <typename F>
void for_each_word(std::int64_t n, std::uint64_t seed, std::uint64_t offset, F&& f) {
  const std::int64_t blocks = (n + 3) / 4;
  cpu::parallel_for(blocks, 4096, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t blk = b; blk < e; ++blk) {
      const philox::Block words = philox::block_at(seed, offset + static_cast<std::uint64_t>(blk));
      for (std::int64_t k = 0; k < 4 && blk * 4 + k < n; ++k) f(blk * 4 + k, words.v[k]);
    }
  });
}

}  // namespace

void CpuBackend::random_uniform(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double lo, double hi) {
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for_each_word(t.numel(), seed, offset, [&](std::int64_t i, std::uint32_t w) {
      p[i] = static_cast<T>(philox::uniform_in(w, lo, hi));
    });
  });
}

void CpuBackend::random_normal(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double mean, double stddev) {
  const std::int64_t n = t.numel(), pairs = (n + 1) / 2;
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    cpu::parallel_for(pairs, 4096, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t j = b; j < e; ++j) {
        double z0, z1;
        philox::normal_pair(seed, offset, static_cast<std::uint64_t>(j), z0, z1);
        p[2 * j] = static_cast<T>(philox::scaled_normal(z0, mean, stddev));
        if (2 * j + 1 < n) p[2 * j + 1] = static_cast<T>(philox::scaled_normal(z1, mean, stddev));
      }
    });
  });
}

void CpuBackend::dropout_mask(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double p) {
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = t.data<T>();
    for_each_word(t.numel(), seed, offset, [&](std::int64_t i, std::uint32_t w) {
      out[i] = static_cast<T>(philox::dropout_value(w, p));
    });
  });
}

}  // namespace gg

// Sums over any set of dims, accumulated in double in a fixed order, so results are identical
// whatever the thread count.
#include <array>
#include <vector>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/interleaved_sums.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

using cpu::add_partials;
using cpu::kPartials;

// In interleaved_sums.h's order; channel_sums_blocked keeps it too.
template <typename T>
double contiguous_sum(const T* p, std::int64_t n) {
  double acc[kPartials] = {};
  std::int64_t i = 0;
  for (; i + kPartials <= n; i += kPartials)
    for (int j = 0; j < kPartials; ++j) acc[j] += static_cast<double>(p[i + j]);
  double s = add_partials([&](int j) { return acc[j]; });
  for (; i < n; ++i) s += static_cast<double>(p[i]);
  return s;
}

struct Run {
  std::int64_t size;
  std::int64_t stride;  // in elements of x
  bool reduced;
};

// x's dims with size-1 dims dropped and neighbours of the same kind merged.
std::vector<Run> collapse(const Shape& x, const Shape& out) {
  std::vector<Run> runs;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] == 1) continue;
    const bool reduced = out[i] == 1;
    if (!runs.empty() && runs.back().reduced == reduced)
      runs.back().size *= x[i];
    else
      runs.push_back({x[i], 0, reduced});
  }
  std::int64_t stride = 1;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    it->stride = stride;
    stride *= it->size;
  }
  return runs;
}

// Offsets of every combination of the given runs, first run slowest.
std::vector<std::int64_t> offsets_of(const std::vector<Run>& runs) {
  std::vector<std::int64_t> offs{0};
  for (const Run& r : runs) {
    std::vector<std::int64_t> next;
    next.reserve(offs.size() * static_cast<std::size_t>(r.size));
    for (std::int64_t o : offs)
      for (std::int64_t i = 0; i < r.size; ++i) next.push_back(o + i * r.stride);
    offs.swap(next);
  }
  return offs;
}

template <typename T>
void sum_reduce_impl(const T* x, std::int64_t numel, T* out, const std::vector<Run>& runs) {
  std::vector<Run> kept, reduced;
  for (const Run& r : runs) (r.reduced ? reduced : kept).push_back(r);
  if (kept.empty()) {
    // Everything: fixed-size blocks summed in parallel, then the partials in order.
    constexpr std::int64_t kBlock = 1 << 14;
    const std::int64_t blocks = (numel + kBlock - 1) / kBlock;
    std::vector<double> partial(static_cast<std::size_t>(std::max<std::int64_t>(blocks, 1)), 0.0);
    cpu::parallel_for(blocks, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i)
        partial[static_cast<std::size_t>(i)] = contiguous_sum(x + i * kBlock, std::min(kBlock, numel - i * kBlock));
    });
    double s = 0;
    for (double p : partial) s += p;
    out[0] = static_cast<T>(s);
    return;
  }
  if (runs.back().reduced) {
    // Innermost run is summed: each output is a sum of contiguous stretches.
    const std::int64_t len = runs.back().size;
    reduced.pop_back();
    const std::vector<std::int64_t> red_offs = offsets_of(reduced);
    const std::vector<std::int64_t> out_offs = offsets_of(kept);
    const auto n_out = static_cast<std::int64_t>(out_offs.size());
    const std::int64_t per_out = len * static_cast<std::int64_t>(red_offs.size());
    cpu::parallel_for(n_out, std::max<std::int64_t>(1, cpu::kElementwiseGrain / per_out), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t o = b; o < e; ++o) {
        double s = 0;
        for (std::int64_t r : red_offs) s += contiguous_sum(x + out_offs[static_cast<std::size_t>(o)] + r, len);
        out[o] = static_cast<T>(s);
      }
    });
    return;
  }
  // Innermost run is kept: accumulate whole rows, in chunks of columns.
  const std::int64_t len = runs.back().size;
  kept.pop_back();
  const std::vector<std::int64_t> red_offs = offsets_of(reduced);
  const std::vector<std::int64_t> outer_offs = offsets_of(kept);
  constexpr std::int64_t kCols = 512;
  const std::int64_t col_chunks = (len + kCols - 1) / kCols;
  const auto tasks = static_cast<std::int64_t>(outer_offs.size()) * col_chunks;
  cpu::parallel_for(tasks, 1, [&](std::int64_t b, std::int64_t e) {
    std::vector<double> acc(static_cast<std::size_t>(kCols));
    for (std::int64_t t = b; t < e; ++t) {
      const std::int64_t o = t / col_chunks, c0 = (t % col_chunks) * kCols, cn = std::min(kCols, len - c0);
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::int64_t r : red_offs) {
        const T* row = x + outer_offs[static_cast<std::size_t>(o)] + r + c0;
        for (std::int64_t j = 0; j < cn; ++j) acc[static_cast<std::size_t>(j)] += static_cast<double>(row[j]);
      }
      for (std::int64_t j = 0; j < cn; ++j) out[o * len + c0 + j] = static_cast<T>(acc[static_cast<std::size_t>(j)]);
    }
  });
}

// Per-channel sums of an (N, C, H, W) tensor that a convolution left channel-blocked (a bias's
// gradient), read in place: each channel gets contiguous_sum's additions over each image's plane,
// in its order, so the same bits as the plain path; the block's channels side by side vectorise.
void channel_sums_blocked(const cpu::ChannelBlocked& x, float* out) {
  constexpr int kMaxBlock = 16;
  const int block = x.block;
  const std::int64_t blocks = x.c / block;
  cpu::parallel_for(blocks, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t cb = b; cb < e; ++cb) {
      std::array<double, kMaxBlock> s{};
      for (std::int64_t n = 0; n < x.n; ++n) {
        const float* p = x.data + (n * blocks + cb) * x.hw * block;
        double acc[kPartials][kMaxBlock] = {};
        std::int64_t i = 0;
        for (; i + kPartials <= x.hw; i += kPartials)
          for (int j = 0; j < kPartials; ++j)
            for (int l = 0; l < block; ++l) acc[j][l] += static_cast<double>(p[(i + j) * block + l]);
        for (int l = 0; l < block; ++l) {
          double t = add_partials([&](int j) { return acc[j][l]; });
          for (std::int64_t k = i; k < x.hw; ++k) t += static_cast<double>(p[k * block + l]);
          s[static_cast<std::size_t>(l)] += t;
        }
      }
      for (int l = 0; l < block; ++l) out[cb * block + l] = static_cast<float>(s[static_cast<std::size_t>(l)]);
    }
  });
}

}  // namespace

void CpuBackend::sum_reduce(const Tensor& x, const Tensor& out) {
  if (x.dim() == 4 && out.shape() == Shape{1, x.size(1), 1, 1}) {
    if (const auto blocked = cpu::channel_blocked(x)) return channel_sums_blocked(*blocked, out.data<float>());
  }
  const std::vector<Run> runs = collapse(x.shape(), out.shape());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (runs.empty()) {
      out.data<T>()[0] = x.data<T>()[0];
      return;
    }
    sum_reduce_impl(x.data<T>(), x.numel(), out.data<T>(), runs);
  });
}

}  // namespace gg

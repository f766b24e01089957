#pragma once
// How the CUDA kernels of pixel norm and minibatch stddev (kernels/cuda/progan_*.cu) cut their
// sums across threads. The cuts depend on the shapes alone, never on the device, so every run
// adds the same terms in the same order; kernels/common/progan_replay.h replays that order on the
// CPU so tests can compare it with the CPU kernels', which differs.
#include <algorithm>
#include <cstdint>

#include "kernels/common/host_device.h"

namespace gg {

// ---- pixel norm over (outer, C, inner) ----
//
// One position (o, i) has C values `inner` apart. With few positions (small feature maps, many
// channels) one thread per position would leave the device idle, so `splits` threads share a
// position: thread s sums channels [s L, (s + 1) L) in order (L = split_length, the last split
// may be shorter), and the partial sums are then added in split order, starting from 0. A block
// holds kPixelNormBlock threads: kPixelNormBlock / splits positions times `splits`.
constexpr int kPixelNormBlock = 256;
constexpr int kPixelNormMaxSplits = 32;
constexpr std::int64_t kPixelNormMinSplitChannels = 16;      // shorter splits cost more than they give
constexpr std::int64_t kPixelNormTargetThreads = 1 << 17;  // enough to fill an H100 several times

struct PixelNormPlan {
  std::int64_t outer = 1, channels = 1, inner = 1;
  int splits = 1;
  std::int64_t split_length = 1;

  GG_HD std::int64_t positions() const { return outer * inner; }
  GG_HD int positions_per_block() const { return kPixelNormBlock / splits; }
  GG_HD std::int64_t tiles() const { return (positions() + positions_per_block() - 1) / positions_per_block(); }
  // Offset of position p's first channel.
  GG_HD std::int64_t base(std::int64_t p) const { return (p / inner) * channels * inner + p % inner; }
  GG_HD std::int64_t split_begin(int s) const { return s * split_length; }
  GG_HD std::int64_t split_end(int s) const {
    const std::int64_t end = (s + 1) * split_length;
    return end < channels ? end : channels;
  }
};

inline PixelNormPlan make_pixel_norm_plan(std::int64_t outer, std::int64_t channels, std::int64_t inner) {
  PixelNormPlan plan{outer, channels, inner, 1, channels};
  int splits = 1;
  while (splits < kPixelNormMaxSplits && plan.positions() * splits < kPixelNormTargetThreads &&
         channels >= 2 * splits * kPixelNormMinSplitChannels)
    splits *= 2;
  plan.split_length = std::max<std::int64_t>(1, (channels + splits - 1) / splits);
  // Rounding the length up can leave the last split empty: drop such splits.
  plan.splits = static_cast<int>(std::max<std::int64_t>(1, (channels + plan.split_length - 1) / plan.split_length));
  return plan;
}

// ---- minibatch stddev: x (N, C, H, W) read as (G, M, F) ----
//
// Forward: one block per (group m, chunk of kStddevChunk features). Thread t adds the stds of
// features f0 + t, f0 + t + kStddevThreads, ... in order (one feature while the chunk is one block
// wide: D's 4x4 block has only M = 4 groups, so narrow chunks are what keeps the device busy), the
// block adds its threads' sums by a fixed pairwise tree (lane t += lane t + stride, stride =
// kStddevThreads / 2 ... 1), and the chunk sums of a group are added in chunk order, from 0.
// Backward: the sum of the appended channel's gradient over group m's G samples and H W pixels
// is taken by one block the same way, thread t adding terms t, t + kStddevThreads, ... of the
// G x HW terms in (sample, pixel) order; the rest is per feature, in the CPU kernel's order.
constexpr int kStddevThreads = 256;
constexpr std::int64_t kStddevChunk = kStddevThreads;

struct StddevPlan {
  std::int64_t group = 1;     // G, samples per group
  std::int64_t members = 1;   // M = N / G: groups, and the distance between a group's samples
  std::int64_t features = 1;  // F = C H W
  std::int64_t plane = 1;     // H W, the appended channel's size
  std::int64_t chunks = 1;    // ceil(F / kStddevChunk)

  GG_HD std::int64_t y_sample() const { return features + plane; }  // (C + 1) H W
  GG_HD std::int64_t chunk_end(std::int64_t chunk) const {
    const std::int64_t end = (chunk + 1) * kStddevChunk;
    return end < features ? end : features;
  }
};

inline StddevPlan make_stddev_plan(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, int group) {
  const std::int64_t features = c * h * w;
  return {group, n / group, features, h * w, (features + kStddevChunk - 1) / kStddevChunk};
}

}  // namespace gg

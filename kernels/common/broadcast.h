#pragma once
// Broadcasting made cheap: adjacent dims that broadcast the same way for both operands are merged,
// so common cases collapse to a short loop nest whose innermost dim is contiguous or a constant
// (same shape -> 1 dim; per-channel (1, C, 1, 1) on (N, C, H, W) -> 3 dims; scalar -> 1 dim).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/common/host_device.h"

namespace gg {

struct BroadcastPlan {
  static constexpr int kMaxDims = 8;
  int rank = 0;
  std::int64_t size[kMaxDims] = {};
  std::int64_t stride_a[kMaxDims] = {};  // 0 where a is broadcast
  std::int64_t stride_b[kMaxDims] = {};

  GG_HD std::int64_t inner() const { return size[rank - 1]; }
  GG_HD std::int64_t rows() const {
    std::int64_t r = 1;
    for (int i = 0; i + 1 < rank; ++i) r *= size[i];
    return r;
  }
  // Offsets of a and b at the start of row `row` (all dims but the innermost).
  GG_HD void row_offsets(std::int64_t row, std::int64_t& off_a, std::int64_t& off_b) const {
    off_a = 0;
    off_b = 0;
    for (int i = rank - 2; i >= 0; --i) {
      const std::int64_t idx = row % size[i];
      row /= size[i];
      off_a += idx * stride_a[i];
      off_b += idx * stride_b[i];
    }
  }
};

// out, a and b have `rank` dims (a and b padded with leading ones); rank <= kMaxDims.
inline BroadcastPlan make_broadcast_plan(const std::int64_t* out, const std::int64_t* a, const std::int64_t* b,
                                         int rank) {
  std::int64_t sa[BroadcastPlan::kMaxDims], sb[BroadcastPlan::kMaxDims];
  std::int64_t run_a = 1, run_b = 1;
  for (int i = rank - 1; i >= 0; --i) {
    sa[i] = (a[i] == 1 && out[i] != 1) ? 0 : run_a;
    sb[i] = (b[i] == 1 && out[i] != 1) ? 0 : run_b;
    run_a *= a[i];
    run_b *= b[i];
  }
  BroadcastPlan plan;
  for (int i = 0; i < rank; ++i) {
    if (out[i] == 1) continue;
    const int last = plan.rank - 1;
    if (last >= 0 && (plan.stride_a[last] == 0) == (sa[i] == 0) && (plan.stride_b[last] == 0) == (sb[i] == 0)) {
      plan.size[last] *= out[i];
      plan.stride_a[last] = sa[i];
      plan.stride_b[last] = sb[i];
    } else {
      plan.size[plan.rank] = out[i];
      plan.stride_a[plan.rank] = sa[i];
      plan.stride_b[plan.rank] = sb[i];
      ++plan.rank;
    }
  }
  if (plan.rank == 0) {
    plan.rank = 1;
    plan.size[0] = 1;
    plan.stride_a[0] = plan.stride_b[0] = 1;
  }
  return plan;
}

// Host side, from shapes: out = op(a, b) with a and b padded with leading ones to out's rank.
inline BroadcastPlan make_broadcast_plan(const std::vector<std::int64_t>& out, const std::vector<std::int64_t>& a,
                                         const std::vector<std::int64_t>& b) {
  const std::size_t rank = out.size();
  if (rank > static_cast<std::size_t>(BroadcastPlan::kMaxDims))
    throw std::invalid_argument("broadcast: rank " + std::to_string(rank) + " exceeds 8");
  std::vector<std::int64_t> pa(rank - a.size(), 1), pb(rank - b.size(), 1);
  pa.insert(pa.end(), a.begin(), a.end());
  pb.insert(pb.end(), b.begin(), b.end());
  return make_broadcast_plan(out.data(), pa.data(), pb.data(), static_cast<int>(rank));
}

}  // namespace gg

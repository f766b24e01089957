#pragma once
// How a sum over some dims of a contiguous tensor is laid out for a parallel, deterministic
// reduction (the CUDA backend's sum_reduce).
//
// x's dims are collapsed as in the CPU kernel: size-1 dims dropped, neighbours that are both kept
// or both summed merged into one run. Output o (in the output's own row-major order) is the sum
// over r in [0, reduced) of x[kept_offset(o) + reduced_offset(r)]. The range of r is cut into
// `segments` equal pieces, each summed on its own, and the pieces are then added in order: the
// split depends only on the shapes, never on the device, so the result is the same on every run.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/common/host_device.h"

namespace gg {

struct ReducePlan {
  static constexpr int kMaxRuns = 8;
  int kept_rank = 0, reduced_rank = 0;
  std::int64_t kept_size[kMaxRuns] = {}, kept_stride[kMaxRuns] = {};
  std::int64_t reduced_size[kMaxRuns] = {}, reduced_stride[kMaxRuns] = {};
  std::int64_t outputs = 1;   // product of the kept runs
  std::int64_t reduced = 1;   // product of the summed runs: terms per output
  bool inner_kept = false;    // x's innermost run is kept: neighbouring outputs are neighbours in x
  // One block of threads per (output, segment), its threads reading neighbouring terms; else one
  // thread per (output, segment), neighbouring threads serving neighbouring outputs.
  bool use_blocks = false;
  std::int64_t segments = 1;  // pieces the reduced range is cut into
  std::int64_t segment_length = 1;

  GG_HD std::int64_t kept_offset(std::int64_t o) const {
    std::int64_t off = 0;
    for (int i = kept_rank - 1; i >= 0; --i) {
      off += (o % kept_size[i]) * kept_stride[i];
      o /= kept_size[i];
    }
    return off;
  }
  GG_HD std::int64_t reduced_offset(std::int64_t r) const {
    std::int64_t off = 0;
    for (int i = reduced_rank - 1; i >= 0; --i) {
      off += (r % reduced_size[i]) * reduced_stride[i];
      r /= reduced_size[i];
    }
    return off;
  }
};

// Work wanted in flight (blocks or threads, see use_blocks), and the fewest terms worth a segment.
constexpr std::int64_t kReduceTargetBlocks = 1024, kReduceMinBlockTerms = 4096;
constexpr std::int64_t kReduceTargetThreads = 65536, kReduceMinThreadTerms = 32;
constexpr std::int64_t kReduceMaxSegments = 1024;

// x_shape and out_shape have `rank` dims; out_shape[i] is x_shape[i] or 1 (summed).
inline ReducePlan make_reduce_plan(const std::int64_t* x_shape, const std::int64_t* out_shape, int rank) {
  ReducePlan plan;
  bool reduced_run[2 * ReducePlan::kMaxRuns];
  std::int64_t run_size[2 * ReducePlan::kMaxRuns];
  int runs = 0;
  for (int i = 0; i < rank; ++i) {
    if (x_shape[i] == 1) continue;
    const bool reduced = out_shape[i] == 1;
    if (runs > 0 && reduced_run[runs - 1] == reduced) {
      run_size[runs - 1] *= x_shape[i];
      continue;
    }
    if (runs == 2 * ReducePlan::kMaxRuns)
      throw std::invalid_argument("sum_reduce: more than " + std::to_string(2 * ReducePlan::kMaxRuns) +
                                  " alternating kept and summed dims");
    reduced_run[runs] = reduced;
    run_size[runs] = x_shape[i];
    ++runs;
  }
  std::int64_t stride = 1;
  for (int i = runs - 1; i >= 0; --i) {
    const std::int64_t run_stride = stride;
    stride *= run_size[i];
    // Runs alternate, so each kind has at most kMaxRuns of the 2 * kMaxRuns.
    if (reduced_run[i]) {
      plan.reduced_size[plan.reduced_rank] = run_size[i];
      plan.reduced_stride[plan.reduced_rank++] = run_stride;
    } else {
      plan.kept_size[plan.kept_rank] = run_size[i];
      plan.kept_stride[plan.kept_rank++] = run_stride;
    }
  }
  // Collected innermost first; offsets are computed outermost first.
  std::reverse(plan.kept_size, plan.kept_size + plan.kept_rank);
  std::reverse(plan.kept_stride, plan.kept_stride + plan.kept_rank);
  std::reverse(plan.reduced_size, plan.reduced_size + plan.reduced_rank);
  std::reverse(plan.reduced_stride, plan.reduced_stride + plan.reduced_rank);
  for (int i = 0; i < plan.kept_rank; ++i) plan.outputs *= plan.kept_size[i];
  for (int i = 0; i < plan.reduced_rank; ++i) plan.reduced *= plan.reduced_size[i];
  plan.inner_kept = runs > 0 && !reduced_run[runs - 1];
  // Blocks pay off when each output has a long contiguous stretch to read; short sums (and sums
  // down columns) are better done by one thread per output.
  plan.use_blocks = !plan.inner_kept && plan.reduced >= kReduceMinBlockTerms;

  const std::int64_t outputs = std::max<std::int64_t>(plan.outputs, 1);
  const std::int64_t target = plan.use_blocks ? kReduceTargetBlocks : kReduceTargetThreads;
  const std::int64_t wanted = (target + outputs - 1) / outputs;
  const std::int64_t min_terms = plan.use_blocks ? kReduceMinBlockTerms : kReduceMinThreadTerms;
  const std::int64_t most = (plan.reduced + min_terms - 1) / min_terms;
  const std::int64_t segments = std::clamp<std::int64_t>(std::min(wanted, most), 1, kReduceMaxSegments);
  plan.segment_length = std::max<std::int64_t>(1, (plan.reduced + segments - 1) / segments);
  plan.segments = std::max<std::int64_t>(1, (plan.reduced + plan.segment_length - 1) / plan.segment_length);
  return plan;
}

}  // namespace gg

#pragma once
// Axis tick values people like to read: multiples of 1, 2 or 5 x 10^k on a linear axis; decades,
// or 1-2-5 and 1..9 within decades, on a log axis.
#include <string>
#include <vector>

namespace gg::report {

// About `target` ticks (at least 2 when lo < hi) inside [lo, hi], all multiples of one nice step.
std::vector<double> linear_ticks(double lo, double hi, int target);
// Ticks inside [lo, hi] (lo > 0) on a log axis, at most about `max_count`.
std::vector<double> log_ticks(double lo, double hi, int max_count);
// A label for a tick: as many decimals as `step` (the distance between ticks) needs; step 0: the
// shortest form, as on a log axis.
std::string tick_label(double value, double step);

}  // namespace gg::report

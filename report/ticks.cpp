#include "report/ticks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gg::report {
namespace {

double linear_tick_step(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(target, 1);
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

}  // namespace

std::vector<double> linear_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  // A narrow range can hold a single multiple of the first step: ask for more until two fit.
  for (int t = std::max(target, 2); t <= std::max(target, 2) * 4 && ticks.size() < 2; ++t) {
    const double step = linear_tick_step(lo, hi, t);
    ticks.clear();
    // k * step rather than a running sum, so 0.1 * 3 prints as 0.3; the slack admits ends that
    // rounding put a hair outside. Adding 0.0 turns -0 into 0.
    const double slack = step * 1e-9;
    for (double k = std::ceil((lo - slack) / step); k * step <= hi + slack; ++k) ticks.push_back(k * step + 0.0);
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int max_count) {
  const int d0 = static_cast<int>(std::floor(std::log10(lo))), d1 = static_cast<int>(std::ceil(std::log10(hi)));
  const auto collect = [&](const std::vector<double>& mantissas, int decade_step) {
    std::vector<double> ticks;
    for (int d = d0; d <= d1; ++d) {
      if ((d - d0) % decade_step != 0) continue;
      for (double m : mantissas) {
        const double v = m * std::pow(10.0, d);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
      }
    }
    return ticks;
  };
  // The sparsest set that still gives 3 ticks, but never more than max_count.
  std::vector<double> ticks = collect({1}, 1);
  for (int decade_step = 2; static_cast<int>(ticks.size()) > max_count; ++decade_step) ticks = collect({1}, decade_step);
  for (const std::vector<double>& denser : {std::vector<double>{1, 2, 5}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    if (ticks.size() >= 3) break;
    std::vector<double> more = collect(denser, 1);
    if (static_cast<int>(more.size()) <= max_count) ticks = std::move(more);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  if (value == 0) return "0";
  if (step <= 0 || std::abs(value) >= 1e6 || step < 1e-4) return fmt::format("{:g}", value);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

}  // namespace gg::report

#pragma once
// The statistics of the experiment's report: mean and sample standard deviation over seeds, and
// the mean of paired differences with a 95% confidence interval from Student's t.
#include <optional>
#include <span>

namespace gg::study {

struct MeanStd {
  double mean = 0, std = 0;  // std: sample standard deviation (n - 1); 0 for fewer than two values
};
MeanStd mean_std(std::span<const double> values);

struct Interval {
  double low = 0, high = 0;
};

struct MeanWithInterval {
  double mean = 0;
  std::optional<Interval> ci95;  // unset for fewer than two values: n - 1 = 0 degrees of freedom
};

// The quantile of Student's t distribution: the t with P(T <= t) = probability (dof > 0;
// probability in (0, 1)); t_{0.975, n-1} bounds a two-sided 95% interval.
double student_t_quantile(double probability, double degrees_of_freedom);

// mean +- t_{0.975, n-1} * s / sqrt(n) over `values` (e.g. per-seed differences of two methods).
// Throws std::invalid_argument on no values.
MeanWithInterval mean_with_ci95(std::span<const double> values);

}  // namespace gg::study

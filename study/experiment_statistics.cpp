#include "study/experiment_statistics.h"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace gg::study {

MeanStd mean_std(std::span<const double> values) {
  MeanStd r;
  if (values.empty()) return r;
  const auto n = static_cast<double>(values.size());
  r.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (values.size() > 1) {
    double squares = 0;
    for (double x : values) squares += (x - r.mean) * (x - r.mean);
    r.std = std::sqrt(squares / (n - 1));
  }
  return r;
}

double student_t_quantile(double probability, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0)) throw std::invalid_argument("student_t_quantile: degrees of freedom must be positive");
  if (!(probability > 0 && probability < 1)) throw std::invalid_argument("student_t_quantile: probability must be in (0, 1)");
  return boost::math::quantile(boost::math::students_t_distribution<double>(degrees_of_freedom), probability);
}

MeanWithInterval mean_with_ci95(std::span<const double> values) {
  if (values.empty()) throw std::invalid_argument("mean_with_ci95: no values");
  const MeanStd m = mean_std(values);
  MeanWithInterval r{.mean = m.mean, .ci95 = std::nullopt};
  if (values.size() > 1) {
    const auto n = static_cast<double>(values.size());
    const double half_width = student_t_quantile(0.975, n - 1) * m.std / std::sqrt(n);
    r.ci95 = Interval{.low = m.mean - half_width, .high = m.mean + half_width};
  }
  return r;
}

}  // namespace gg::study

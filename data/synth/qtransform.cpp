#include "data/synth/qtransform.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <numbers>
#include <stdexcept>

#include "data/synth/name_lists.h"

namespace gg::data::synth {

namespace {

// Step between neighbouring tiles for the allowed mismatch (Chatterji 2005, eq. 5.13).
double tile_step(double mismatch) { return 2 * std::sqrt(mismatch / 3); }

std::vector<double> q_values(const QTransformOptions& o) {
  const double span = std::log(o.q_max / o.q_min) / std::numbers::sqrt2;
  const int planes = std::max(1, static_cast<int>(std::ceil(span / tile_step(o.mismatch))));
  std::vector<double> qs(planes);
  for (int i = 0; i < planes; ++i) qs[i] = o.q_min * std::pow(o.q_max / o.q_min, (i + 0.5) / planes);
  return qs;
}

std::vector<double> row_frequencies(double q, const QTransformOptions& o) {
  const double span = std::log(o.f_max / o.f_min) * std::sqrt(2 + q * q) / 2;
  const int rows = std::max(1, static_cast<int>(std::ceil(span / tile_step(o.mismatch))));
  std::vector<double> fs(rows);
  for (int i = 0; i < rows; ++i) fs[i] = o.f_min * std::pow(o.f_max / o.f_min, (i + 0.5) / rows);
  return fs;
}

// Energy of one tile row: the spectrum around f0 under a bisquare window of half-width
// f0 sqrt(11) / Q, brought back to time by an inverse FFT. Folding the windowed bins modulo the
// row length m before the FFT samples the tile's complex envelope at m evenly spaced times
// (decimation in time is aliasing in frequency), so fast rows cost no more than the output needs.
std::vector<float> tile_row(const FftArray<Complex>& spectrum, double duration, double f0, double q,
                            std::size_t max_samples, QTransformOptions::Norm norm, FftArray<Complex>& scratch) {
  const double half_width = f0 * std::sqrt(11.0) / q;
  const std::size_t bins = spectrum.size();
  const auto first = static_cast<std::size_t>(std::max(1.0, std::ceil((f0 - half_width) * duration)));
  const auto last = std::min(bins - 1, static_cast<std::size_t>(std::floor((f0 + half_width) * duration)));
  const std::size_t width = last >= first ? last - first + 1 : 1;
  // The envelope's bandwidth is about the window's width; twice as many samples resolve the energy.
  const std::size_t m = std::clamp<std::size_t>(std::bit_ceil(2 * width), 32, max_samples);
  Complex* x = scratch.data();
  std::fill(x, x + m, Complex{});
  for (std::size_t k = first; k <= last; ++k) {
    const double u = (k / duration - f0) / half_width;
    const double w = (1 - u * u) * (1 - u * u);
    x[k % m] += static_cast<float>(w) * spectrum[k];
  }
  inverse_fft(x, m);
  std::vector<float> energy(m);
  for (std::size_t j = 0; j < m; ++j) energy[j] = std::norm(x[j]);
  float scale = 0;
  if (norm == QTransformOptions::Norm::mean) {
    scale = static_cast<float>(std::accumulate(energy.begin(), energy.end(), 0.0) / static_cast<double>(m));
  } else {
    std::vector<float> sorted = energy;
    std::nth_element(sorted.begin(), sorted.begin() + m / 2, sorted.end());
    scale = sorted[m / 2];
    if (norm == QTransformOptions::Norm::robust_mean) scale /= std::numbers::ln2_v<float>;
  }
  scale = std::max(scale, 1e-30f);
  for (float& e : energy) e /= scale;
  return energy;
}

float central_peak(const std::vector<float>& row, double duration, double search) {
  const std::size_t m = row.size();
  const auto reach = static_cast<std::size_t>(std::ceil(search / duration * m));
  float peak = 0;
  for (std::size_t j = m / 2 - std::min(reach, m / 2); j < std::min(m, m / 2 + reach + 1); ++j) peak = std::max(peak, row[j]);
  return peak;
}

}  // namespace

QTransformOptions::Norm energy_norm_from_name(const std::string& name) {
  return static_cast<QTransformOptions::Norm>(position_or_throw(kEnergyNormNames, name, "energy normalisation"));
}

const char* energy_norm_name(QTransformOptions::Norm norm) { return kEnergyNormNames.at(static_cast<std::size_t>(norm)); }

QPlane q_transform(const FftArray<Complex>& spectrum, std::size_t n, double duration, const QTransformOptions& options) {
  if (spectrum.size() != n / 2 + 1) throw std::invalid_argument("q_transform: spectrum must hold n / 2 + 1 bins");
  FftArray<Complex> scratch(options.max_row_samples);
  QPlane best;
  for (double q : q_values(options)) {
    QPlane plane;
    plane.q = q;
    plane.frequencies = row_frequencies(q, options);
    for (double f0 : plane.frequencies) {
      plane.energy.push_back(tile_row(spectrum, duration, f0, q, options.max_row_samples, options.norm, scratch));
      plane.peak = std::max(plane.peak, central_peak(plane.energy.back(), duration, options.search));
    }
    if (best.energy.empty() || plane.peak > best.peak) best = std::move(plane);
  }
  return best;
}

void sample_plane(const QPlane& plane, double duration, std::span<const double> frequencies,
                  std::span<const double> times, float* out) {
  const std::size_t rows = plane.frequencies.size();
  const double log_first = std::log(plane.frequencies.front());
  const double log_step = rows > 1 ? (std::log(plane.frequencies.back()) - log_first) / (rows - 1) : 1.0;
  // Value of row r at time t (seconds from the middle), linear between its samples, periodic.
  auto at = [&](std::size_t r, double t) {
    const std::vector<float>& row = plane.energy[r];
    const double m = static_cast<double>(row.size());
    double pos = (t / duration + 0.5) * m;
    pos -= m * std::floor(pos / m);
    const auto j = static_cast<std::size_t>(pos) % row.size();
    const double frac = pos - std::floor(pos);
    return static_cast<float>((1 - frac) * row[j] + frac * row[(j + 1) % row.size()]);
  };
  for (std::size_t i = 0; i < frequencies.size(); ++i) {
    const double r = std::clamp((std::log(frequencies[i]) - log_first) / log_step, 0.0, static_cast<double>(rows - 1));
    const auto r0 = static_cast<std::size_t>(r);
    const std::size_t r1 = std::min(r0 + 1, rows - 1);
    const auto w = static_cast<float>(r - r0);
    for (std::size_t j = 0; j < times.size(); ++j) {
      out[i * times.size() + j] = (1 - w) * at(r0, times[j]) + w * at(r1, times[j]);
    }
  }
}

}  // namespace gg::data::synth

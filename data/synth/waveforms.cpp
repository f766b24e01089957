#include "data/synth/waveforms.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gg::data::synth {

WaveformBuilder::WaveformBuilder(double sample_rate, std::size_t n) : sample_rate_(sample_rate), samples_(n, 0.0f) {}

double WaveformBuilder::time_of(std::size_t i) const {
  return (static_cast<double>(i) - static_cast<double>(samples_.size() / 2)) / sample_rate_;
}

std::size_t WaveformBuilder::index_of(double t) const {
  const double i = std::round(t * sample_rate_) + static_cast<double>(samples_.size() / 2);
  return static_cast<std::size_t>(std::clamp(i, 0.0, static_cast<double>(samples_.size())));
}

void WaveformBuilder::add_scaled(std::size_t first, const std::vector<double>& piece, double snr) {
  double energy = 0;
  for (double v : piece) energy += v * v;
  if (energy <= 0) return;
  const double scale = snr / std::sqrt(energy);
  for (std::size_t k = 0; k < piece.size(); ++k) samples_[first + k] += static_cast<float>(scale * piece[k]);
}

void WaveformBuilder::sine_gaussian(double t0, double f0, double q, double snr, double phase) {
  const double tau = q / (std::numbers::sqrt2 * std::numbers::pi * f0);
  const std::size_t first = index_of(t0 - 4 * tau), last = index_of(t0 + 4 * tau);
  std::vector<double> piece(last - first);
  for (std::size_t k = 0; k < piece.size(); ++k) {
    const double t = time_of(first + k) - t0;
    piece[k] = std::exp(-(t * t) / (tau * tau)) * std::cos(2 * std::numbers::pi * f0 * t + phase);
  }
  add_scaled(first, piece, snr);
}

void WaveformBuilder::tone(double t_begin, double t_end, const std::function<double(double)>& frequency,
                           const std::function<double(double)>& envelope, double snr, double taper, double phase) {
  const std::size_t first = index_of(t_begin), last = index_of(t_end);
  std::vector<double> piece(last > first ? last - first : 0);
  const double dt = 1.0 / sample_rate_, length = t_end - t_begin;
  taper = std::min(taper, length / 2);
  for (std::size_t k = 0; k < piece.size(); ++k) {
    const double t = time_of(first + k);
    // Raised-cosine ramps at both ends, so the tone starts and stops without a click.
    const double edge = std::min(t - t_begin, t_end - t);
    const double ramp = edge >= taper ? 1.0 : 0.5 - 0.5 * std::cos(std::numbers::pi * std::max(edge, 0.0) / taper);
    piece[k] = ramp * envelope(t) * std::cos(phase);
    phase += 2 * std::numbers::pi * frequency(t) * dt;
  }
  add_scaled(first, piece, snr);
}

}  // namespace gg::data::synth

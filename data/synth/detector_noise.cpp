#include "data/synth/detector_noise.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/common/random_math.h"

namespace gg::data::synth {

namespace {

double uniform(Generator& gen, double lo, double hi) { return lo + (hi - lo) * gen.uniform(); }

// Amplitude spectral density relative to its minimum (about 1 near 200 Hz), so values stay in float range.
double relative_asd(double f) {
  static const double floor = [] {
    double lowest = aligo_psd(10);
    for (double g = 10; g < 2000; g *= 1.01) lowest = std::min(lowest, aligo_psd(g));
    return lowest;
  }();
  return std::sqrt(aligo_psd(f) / floor);
}

}  // namespace

double aligo_psd(double f) {
  constexpr double kFitStart = 10.0;
  if (f < kFitStart) return aligo_psd(kFitStart) * std::pow(kFitStart / std::max(f, 1e-3), 8.0);
  const double x = f / 215.0, x2 = x * x;
  return 1e-49 * (std::pow(x, -4.14) - 5.0 / x2 + 111.0 * (1.0 - x2 + 0.5 * x2 * x2) / (1.0 + 0.5 * x2));
}

void add_whitened_noise(FftArray<Complex>& spectrum, double sample_rate, std::size_t n, Generator& gen) {
  // The whitening estimate's error: a few smooth bumps of +-20% in log frequency.
  double centre[3], width[3], height[3];
  for (int j = 0; j < 3; ++j) {
    centre[j] = uniform(gen, std::log2(10.0), std::log2(2048.0));
    width[j] = uniform(gen, 0.5, 1.5);
    height[j] = uniform(gen, -0.2, 0.2);
  }
  const std::size_t bins = n / 2 + 1;
  const std::uint64_t offset = gen.take(2 * bins);
  // With the unnormalised DFT, white noise of unit variance has E|X_k|^2 = n.
  const double sigma = std::sqrt(n / 2.0);
  for (std::size_t k = 1; k + 1 < bins; ++k) {
    const double f = k * sample_rate / n, octave = std::log2(f);
    double log_error = 0;
    for (int j = 0; j < 3; ++j) {
      const double d = (octave - centre[j]) / width[j];
      log_error += height[j] * std::exp(-0.5 * d * d);
    }
    const double asd = relative_asd(f), estimated_asd = asd * std::exp(log_error);
    double re, im;
    philox::normal_pair(gen.seed(), offset, k, re, im);
    // Coloured by the true ASD, whitened by the estimate.
    spectrum[k] += Complex(static_cast<float>(sigma * re * asd / estimated_asd),
                           static_cast<float>(sigma * im * asd / estimated_asd));
  }
}

void add_whitened_pulse(FftArray<Complex>& spectrum, double sample_rate, std::size_t n, const StrainPulse& pulse) {
  const std::size_t bins = n / 2 + 1;
  const double duration = n / sample_rate;
  const double centre = duration / 2 + pulse.t0;  // the pulse's time from the segment's first sample
  std::vector<Complex> shape(bins);
  double energy = 0;  // sum over time samples of s^2, by Parseval
  for (std::size_t k = 1; k + 1 < bins; ++k) {
    const double f = k / duration;
    // Fourier transform of the Gaussian, delayed to `centre`, divided by the ASD (whitening).
    const double magnitude = std::exp(-2.0 * std::numbers::pi * std::numbers::pi * pulse.width * pulse.width * f * f) /
                             relative_asd(f);
    const double phase = -2.0 * std::numbers::pi * f * centre;
    shape[k] = std::polar(static_cast<float>(magnitude), static_cast<float>(phase));
    energy += 2.0 * magnitude * magnitude / n;
  }
  if (energy <= 0) return;
  const auto scale = static_cast<float>(pulse.snr / std::sqrt(energy));
  for (std::size_t k = 1; k + 1 < bins; ++k) spectrum[k] += scale * shape[k];
}

void add_noise_lines(WaveformBuilder& whitened, Generator& gen) {
  const double half = whitened.samples().size() / whitened.sample_rate() / 2;
  const int lines = static_cast<int>(gen.uniform() * 4);
  for (int i = 0; i < lines; ++i) {
    const double f = gen.uniform() < 0.4 ? 60.0 : uniform(gen, 12, 40);
    // Amplitude wanders on a time scale of seconds.
    const double rate = uniform(gen, 0.1, 0.6), phase = uniform(gen, 0, 2 * std::numbers::pi);
    whitened.tone(
        -half, half, [f](double) { return f; },
        [rate, phase](double t) { return 0.6 + 0.4 * std::sin(2 * std::numbers::pi * rate * t + phase); },
        uniform(gen, 10, 40), 0.5);
  }
}

}  // namespace gg::data::synth

#pragma once
// Building blocks of glitch time series, in whitened strain: the units in which the detector
// noise is white with unit variance per sample. A signal s then has matched-filter SNR
// rho = sqrt(sum s^2), and a Q tile that matches it shows a normalized energy of about rho^2 / 2,
// so each piece is given by its SNR rather than a raw amplitude.
#include <cstddef>
#include <functional>
#include <vector>

namespace gg::data::synth {

class WaveformBuilder {
 public:
  // `n` samples at `sample_rate`; time 0 is the middle of the segment (where scans are centred).
  WaveformBuilder(double sample_rate, std::size_t n);

  // exp(-(t - t0)^2 / tau^2) cos(2 pi f0 (t - t0) + phase), tau = Q / (sqrt(2) pi f0): the
  // Omicron/Omega sine-Gaussian, the shape a Q tile matches best.
  void sine_gaussian(double t0, double f0, double q, double snr, double phase = 0);

  // A tone from t_begin to t_end whose frequency follows frequency(t) (phase integrated sample
  // by sample) under envelope(t) in [0, 1], smoothly tapered over `taper` seconds at both ends.
  void tone(double t_begin, double t_end, const std::function<double(double)>& frequency,
            const std::function<double(double)>& envelope, double snr, double taper, double phase = 0);

  const std::vector<float>& samples() const { return samples_; }
  double sample_rate() const { return sample_rate_; }

 private:
  // Adds piece (starting at sample `first`) scaled to the SNR.
  void add_scaled(std::size_t first, const std::vector<double>& piece, double snr);
  double time_of(std::size_t i) const;
  std::size_t index_of(double t) const;  // clamped to the segment

  double sample_rate_;
  std::vector<float> samples_;
};

}  // namespace gg::data::synth

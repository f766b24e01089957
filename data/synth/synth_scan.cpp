#include "data/synth/synth_scan.h"

#include <cmath>

#include "data/synth/detector_noise.h"
#include "data/synth/fft.h"
#include "data/synth/glitch_models.h"
#include "data/synth/scan_plot.h"
#include "engine/random.h"

namespace gg::data::synth {

namespace {

std::string random_id(Generator& gen) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uint64_t bits = gen.next_u64();
  std::string id(10, '0');
  for (char& c : id) {
    c = kAlphabet[bits % 62];
    bits /= 62;
  }
  return id;
}

// Each glitch owns 2^24 Philox blocks (its noise takes about n / 8 of them), and each class 2^24 glitches.
std::uint64_t stream_offset(int class_index, std::uint64_t index) {
  return ((static_cast<std::uint64_t>(class_index) << 24) + index) << 24;
}

}  // namespace

SynthGlitch synth_glitch(int class_index, std::uint64_t seed, std::uint64_t index, const std::vector<double>& windows,
                         const ScanOptions& options) {
  Generator gen(seed, stream_offset(class_index, index));
  SynthGlitch out;
  out.ifo = gen.uniform() < 0.5 ? "H1" : "L1";
  out.id = random_id(gen);

  const auto n = static_cast<std::size_t>(std::lround(options.sample_rate * options.duration));
  GlitchSignal signal{WaveformBuilder(options.sample_rate, n), {}};
  draw_glitch(class_index, gen, signal, options.models);
  add_noise_lines(signal.whitened, gen);

  FftArray<float> samples(n);
  std::copy(signal.whitened.samples().begin(), signal.whitened.samples().end(), samples.data());
  FftArray<Complex> spectrum(n / 2 + 1);
  forward_real_fft(samples, spectrum);
  for (const StrainPulse& pulse : signal.pulses) add_whitened_pulse(spectrum, options.sample_rate, n, pulse);
  add_whitened_noise(spectrum, options.sample_rate, n, gen);

  const QPlane plane = q_transform(spectrum, n, options.duration, options.q);
  for (double window : windows) out.images.push_back(plot_scan(plane, options.duration, window));
  return out;
}

}  // namespace gg::data::synth

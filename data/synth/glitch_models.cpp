#include "data/synth/glitch_models.h"

#include <cmath>
#include <initializer_list>
#include <numbers>
#include <stdexcept>
#include <string_view>

#include "data/synth/name_lists.h"

namespace gg::data::synth {

namespace {

constexpr double kPi = std::numbers::pi;

// Random draws of the model parameters.
struct Draw {
  Generator& gen;
  double uniform(double lo, double hi) { return lo + (hi - lo) * gen.uniform(); }
  double log_uniform(double lo, double hi) { return lo * std::pow(hi / lo, gen.uniform()); }
  int integer(int lo, int hi) { return lo + static_cast<int>(gen.uniform() * (hi - lo + 1)); }  // inclusive
  bool chance(double p) { return gen.uniform() < p; }
  double phase() { return uniform(0, 2 * kPi); }
};

struct Range {
  double lo, hi;
};

auto constant(double value) {
  return [value](double) { return value; };
}

void blip(Draw& d, GlitchSignal& s, double t0) {
  s.pulses.push_back({t0, d.log_uniform(5e-4, 3e-3), d.uniform(8, 25)});
}

// A tone whose frequency moves between f_from and f_to, linearly in log frequency.
void sweep(Draw& d, GlitchSignal& s, double t_begin, double t_end, double f_from, double f_to, double snr) {
  const double ratio = f_to / f_from, length = t_end - t_begin;
  s.whitened.tone(
      t_begin, t_end, [=](double t) { return f_from * std::pow(ratio, (t - t_begin) / length); }, constant(1), snr,
      0.2 * length, d.phase());
}

// A string of 1070-1090 Hz dots: their count in [dots_lo, dots_hi], spacing in `spacing` seconds, SNRs in `snr`.
struct DotString {
  int dots_lo, dots_hi;
  Range spacing, snr;
};

void dot_string(Draw& d, GlitchSignal& s, double t0, const DotString& c) {
  const int dots = d.integer(c.dots_lo, c.dots_hi);
  const double spacing = d.uniform(c.spacing.lo, c.spacing.hi), f = d.uniform(1070, 1090);
  for (int k = 0; k < dots; ++k) {
    s.whitened.sine_gaussian(t0 + (k - dots / 2.0) * spacing, f, d.uniform(20, 40), d.uniform(c.snr.lo, c.snr.hi), d.phase());
  }
}

void lines_1080(Draw& d, GlitchSignal& s, double t0) { dot_string(d, s, t0, {4, 10, {0.05, 0.25}, {8, 14}}); }

void ripples_1400(Draw& d, GlitchSignal& s, double t0) {
  const int bursts = d.integer(1, 3);
  for (int k = 0; k < bursts; ++k) {
    const double start = t0 + d.uniform(-0.3, 0.3), length = d.uniform(0.05, 0.25);
    s.whitened.tone(start, start + length, constant(d.uniform(1380, 1420)), constant(1), d.uniform(12, 25), 0.02, d.phase());
  }
}

// A fat line: a ~50 Hz tone whose frequency trembles by `wobble` Hz, lasting `lengths` seconds.
void trembling_line(Draw& d, GlitchSignal& s, double t0, Range wobbles, Range lengths) {
  const double f = d.uniform(45, 55), wobble = d.uniform(wobbles.lo, wobbles.hi), rate = d.uniform(4, 10);
  const double length = d.uniform(lengths.lo, lengths.hi), phase = d.phase();
  s.whitened.tone(
      t0 - length / 2, t0 + length / 2, [=](double t) { return f + wobble * std::sin(2 * kPi * rate * t + phase); },
      constant(1), d.uniform(15, 35), 0.08, d.phase());
}

void air_compressor(Draw& d, GlitchSignal& s, double t0) { trembling_line(d, s, t0, {1, 3}, {0.3, 0.6}); }

// Inspiral over a span drawn from `spans`: f = f_low ((tc - t_start) / (tc - t))^(3/8), amplitude
// growing as f^(2/3), cut at f_high.
void inspiral(Draw& d, GlitchSignal& s, double t0, Range spans) {
  const double f_low = 30, f_high = d.uniform(200, 350), span = d.uniform(spans.lo, spans.hi);
  const double tc = t0 + 0.01, t_start = tc - span;
  const double t_end = tc - span * std::pow(f_low / f_high, 8.0 / 3.0);
  auto frequency = [=](double t) { return f_low * std::pow(span / std::max(tc - t, 1e-4), 3.0 / 8.0); };
  s.whitened.tone(
      t_start, t_end, frequency, [=](double t) { return std::pow(frequency(t) / f_high, 2.0 / 3.0); },
      d.uniform(12, 30), 0.01, d.phase());
}

void chirp(Draw& d, GlitchSignal& s, double t0) { inspiral(d, s, t0, {0.2, 1.0}); }

void extremely_loud(Draw& d, GlitchSignal& s, double t0) {
  const int pulses = d.integer(1, 3);
  for (int k = 0; k < pulses; ++k) {
    s.pulses.push_back({t0 + d.uniform(-0.05, 0.05), d.log_uniform(1e-4, 1e-3), d.uniform(300, 1500)});
  }
}

void helix(Draw& d, GlitchSignal& s, double t0) {
  const int blobs = d.integer(3, 7);
  for (int k = 0; k < blobs; ++k) {
    s.whitened.sine_gaussian(t0 + d.uniform(-0.3, 0.3), d.log_uniform(60, 300), d.uniform(4, 12), d.uniform(6, 12), d.phase());
  }
}

void koi_fish(Draw& d, GlitchSignal& s, double t0) {
  // A loud, wide low-frequency head with a thin high-frequency tail.
  s.pulses.push_back({t0, d.log_uniform(8e-4, 2.5e-3), d.uniform(40, 120)});
  s.whitened.sine_gaussian(t0, d.uniform(400, 1000), d.uniform(3, 6), d.uniform(8, 15), d.phase());
}

void light_modulation(Draw& d, GlitchSignal& s, double t0) {
  const int spikes = d.integer(3, 6);
  const double spacing = d.uniform(0.05, 0.2);
  for (int k = 0; k < spikes; ++k) {
    s.pulses.push_back({t0 + (k - spikes / 2.0) * spacing, d.log_uniform(5e-4, 2e-3), d.uniform(10, 30)});
  }
  const int lumps = d.integer(2, 4);
  for (int k = 0; k < lumps; ++k) {
    s.whitened.sine_gaussian(t0 + d.uniform(-0.8, 0.8), d.uniform(12, 30), d.uniform(3, 6), d.uniform(5, 9), d.phase());
  }
}

// One or two low-frequency sine-Gaussians of Q from 3 to q_max.
void low_frequency_bursts(Draw& d, GlitchSignal& s, double t0, double q_max) {
  s.whitened.sine_gaussian(t0, d.log_uniform(12, 35), d.uniform(3, q_max), d.uniform(15, 40), d.phase());
  if (d.chance(0.5)) {
    s.whitened.sine_gaussian(t0 + d.uniform(-0.3, 0.3), d.log_uniform(12, 35), d.uniform(3, q_max), d.uniform(8, 20), d.phase());
  }
}

void low_frequency_burst(Draw& d, GlitchSignal& s, double t0) { low_frequency_bursts(d, s, t0, 10); }

// One to three steady 11-22 Hz lines, each lasting 1.5 s to `longest`.
void steady_low_lines(Draw& d, GlitchSignal& s, double t0, double longest) {
  const int lines = d.integer(1, 3);
  for (int k = 0; k < lines; ++k) {
    const double length = d.uniform(1.5, longest), rate = d.uniform(0.3, 1.5), phase = d.phase();
    s.whitened.tone(
        t0 - length / 2, t0 + length / 2, constant(d.uniform(11, 22)),
        [=](double t) { return 0.7 + 0.3 * std::sin(2 * kPi * rate * t + phase); }, d.uniform(25, 60), 0.3, d.phase());
  }
}

void low_frequency_lines(Draw& d, GlitchSignal& s, double t0) { steady_low_lines(d, s, t0, 4); }

void none_of_the_above(Draw& d, GlitchSignal& s, double t0) {
  const int parts = d.integer(1, 2);
  for (int k = 0; k < parts; ++k) {
    const double t = t0 + d.uniform(-0.4, 0.4);
    if (d.chance(0.5)) {
      s.whitened.sine_gaussian(t, d.log_uniform(20, 1500), d.log_uniform(3, 40), d.uniform(8, 30), d.phase());
    } else {
      const double length = d.uniform(0.1, 1.0);
      sweep(d, s, t - length / 2, t + length / 2, d.log_uniform(20, 1500), d.log_uniform(20, 1500), d.uniform(15, 40));
    }
  }
}

void paired_doves(Draw& d, GlitchSignal& s, double t0) {
  const int pairs = d.integer(2, 4);
  const double spacing = d.uniform(0.15, 0.35);
  double t = t0 - pairs * spacing;
  for (int k = 0; k < pairs; ++k) {
    const double low = d.uniform(20, 35), high = d.uniform(60, 100), length = d.uniform(0.1, 0.25), snr = d.uniform(6, 12);
    sweep(d, s, t, t + length, low, high, snr);
    sweep(d, s, t + spacing, t + spacing + length, high, low, snr);
    t += 2 * spacing;
  }
}

void power_line(Draw& d, GlitchSignal& s, double t0) {
  const double length = d.uniform(0.2, 0.5);
  double snr = d.uniform(15, 35);
  for (int harmonic = 1; harmonic <= 3; ++harmonic, snr *= 0.6) {
    s.whitened.tone(t0 - length / 2, t0 + length / 2, constant(60.0 * harmonic), constant(1), snr, 0.03, d.phase());
  }
}

using Model = void (*)(Draw&, GlitchSignal&, double);

template <Model one_blip>
void repeating_blips(Draw& d, GlitchSignal& s, double t0) {
  const double spacing = d.chance(0.5) ? 0.25 : 0.5;
  const int blips = d.integer(3, spacing < 0.3 ? 8 : 5);
  for (int k = 0; k < blips; ++k) one_blip(d, s, t0 + (k - (blips - 1) / 2.0) * spacing + d.uniform(-0.02, 0.02));
}

// Light scattered off a swinging surface, for `duration` seconds: fringes at k A |sin(pi (t - t1) / P)|,
// stacked arches.
void scattering_fringes(Draw& d, GlitchSignal& s, double t0, double duration) {
  const double a = d.uniform(15, 35), period = d.uniform(1.5, 3.5), t1 = t0 + d.uniform(-0.5, 0.5);
  const int harmonics = d.integer(1, 4);
  for (int k = 1; k <= harmonics; ++k) {
    auto fringe = [=](double t) { return std::abs(std::sin(kPi * (t - t1) / period)); };
    s.whitened.tone(
        t0 - duration / 2, t0 + duration / 2, [=](double t) { return k * a * fringe(t); }, fringe,
        d.uniform(30, 70) / k, 0.3, d.phase());
  }
}

void scattered_light(Draw& d, GlitchSignal& s, double t0) { scattering_fringes(d, s, t0, 6); }

// Blobs over 3 s: their count in [blobs_lo, blobs_hi], frequencies in `f`, SNRs in `snr`.
struct BlobCloud {
  int blobs_lo, blobs_hi;
  Range f, snr;
};

void blob_cloud(Draw& d, GlitchSignal& s, double t0, const BlobCloud& c) {
  const int blobs = d.integer(c.blobs_lo, c.blobs_hi);
  for (int k = 0; k < blobs; ++k) {
    s.whitened.sine_gaussian(t0 + d.uniform(-1.5, 1.5), d.log_uniform(c.f.lo, c.f.hi), d.uniform(3, 8),
                             d.uniform(c.snr.lo, c.snr.hi), d.phase());
  }
}

void scratchy(Draw& d, GlitchSignal& s, double t0) { blob_cloud(d, s, t0, {15, 40, {90, 300}, {5, 10}}); }

void tomte(Draw& d, GlitchSignal& s, double t0) {
  s.whitened.sine_gaussian(t0, d.uniform(30, 60), d.uniform(2, 4), d.uniform(15, 35), d.phase());
}

void violin_mode(Draw& d, GlitchSignal& s, double t0) {
  const double f = d.uniform(495, 510), length = d.uniform(0.5, 1.5), snr = d.uniform(20, 40);
  s.whitened.tone(t0 - length / 2, t0 + length / 2, constant(f), constant(1), snr, 0.1, d.phase());
  if (d.chance(0.5)) s.whitened.tone(t0 - length / 2, t0 + length / 2, constant(2 * f), constant(1), 0.6 * snr, 0.1, d.phase());
}

// A high line meandering in frequency for `duration` seconds.
void meandering_line(Draw& d, GlitchSignal& s, double t0, double duration) {
  const double f0 = d.uniform(1100, 1700), swing = d.uniform(30, 200), period = d.uniform(2, 6), phase = d.phase();
  s.whitened.tone(
      t0 - duration / 2, t0 + duration / 2, [=](double t) { return f0 + swing * std::sin(2 * kPi * t / period + phase); },
      constant(1), d.uniform(100, 200), 0.5, d.phase());
}

void wandering_line(Draw& d, GlitchSignal& s, double t0) { meandering_line(d, s, t0, 6); }

void whistle(Draw& d, GlitchSignal& s, double t0) {
  // A tone above 500 Hz that sweeps and turns: an arch, a V or a W.
  const double top = d.uniform(1000, 1900), bottom = d.uniform(500, 900), half = d.uniform(0.1, 0.3);
  const int shape = d.integer(0, 2);
  auto frequency = [=](double t) {
    const double u = std::min(std::abs(t - t0) / half, 1.0);
    if (shape == 0) return top - (top - bottom) * u * u;                                  // arch
    if (shape == 1) return bottom + (top - bottom) * u;                                   // V
    return bottom + (top - bottom) * std::abs(std::cos(kPi * (t - t0) / half));          // W
  };
  s.whitened.tone(t0 - half, t0 + half, frequency, constant(1), d.uniform(25, 50), 0.05, d.phase());
}

// ---- v2: the classes synth-check measured unlike the real scans (data/README.md says which
// statistic drove each change; the other classes keep their v1 models).

// Louder: real Blips reach over 3 octaves in the loud cluster, v1's 2.7.
void blip_v2(Draw& d, GlitchSignal& s, double t0) {
  s.pulses.push_back({t0, d.log_uniform(5e-4, 3e-3), d.log_uniform(10, 60)});
}

// "A louder, broader blip (mean SNR ~140) with a wide low-frequency head": v1's pulse of SNR 40-120
// drew Blips (loud clusters 0.1 s long, 4.3 octaves; real 0.6 s, 5.8). The whitened pulse keeps little
// below 40 Hz, so the head is a loud low-Q burst of its own.
void koi_fish_v2(Draw& d, GlitchSignal& s, double t0) {
  s.pulses.push_back({t0, d.log_uniform(8e-4, 2.5e-3), d.log_uniform(60, 300)});
  s.whitened.sine_gaussian(t0, d.log_uniform(20, 60), d.uniform(2, 4), d.log_uniform(60, 200), d.phase());
  s.whitened.sine_gaussian(t0, d.uniform(400, 1000), d.uniform(3, 6), d.uniform(8, 15), d.phase());
}

// SNR in the thousands, several pulses close together: a saturated blob over most of the plane,
// where v1's one to three pulses drew thin lines.
void extremely_loud_v2(Draw& d, GlitchSignal& s, double t0) {
  const int pulses = d.integer(2, 5);
  for (int k = 0; k < pulses; ++k) {
    s.pulses.push_back({t0 + d.uniform(-0.15, 0.15), d.log_uniform(1e-4, 3e-3), d.log_uniform(1000, 5000)});
  }
}

// Stationary for seconds, but shorter than half the segment: a row's median (the energy
// normalisation) is then the noise's, where v1's lines over 6 s of 8 normalised themselves away.
constexpr double kLongestLine = 3.5;

void low_frequency_lines_v2(Draw& d, GlitchSignal& s, double t0) { steady_low_lines(d, s, t0, kLongestLine); }

// Short or long: Q up to 20 (bursts of up to ~0.3 s at 20 Hz); real bursts fill most of a 1 s window.
void low_frequency_burst_v2(Draw& d, GlitchSignal& s, double t0) { low_frequency_bursts(d, s, t0, 20); }

void scattered_light_v2(Draw& d, GlitchSignal& s, double t0) { scattering_fringes(d, s, t0, kLongestLine); }

void wandering_line_v2(Draw& d, GlitchSignal& s, double t0) { meandering_line(d, s, t0, kLongestLine); }

// Wider and deeper than v1's, quieter, and a double arch besides the arch and the V: the real
// Whistles of gravityspy-sample span half the 1 s window and reach down to a few hundred Hz, peak at
// 0.6 of the colour scale with loud clusters half an octave thick (v1: 0.8-0.9 and 0.9 octaves).
void whistle_v2(Draw& d, GlitchSignal& s, double t0) {
  const double top = d.uniform(1000, 2000), bottom = d.log_uniform(250, 900), half = d.uniform(0.15, 0.4);
  const int shape = d.integer(0, 2);
  auto frequency = [=](double t) {
    const double u = std::min(std::abs(t - t0) / half, 1.0);
    if (shape == 0) return top - (top - bottom) * u * u;                                 // arch
    if (shape == 1) return bottom + (top - bottom) * u;                                  // V
    return bottom + (top - bottom) * std::abs(std::sin(kPi * (t - t0) / half));         // two arches
  };
  s.whitened.tone(t0 - half, t0 + half, frequency, constant(1), d.uniform(15, 35), 0.05, d.phase());
}

// "Many weak blobs at ~100-250 Hz": v1 spread fewer, louder blobs over 90-300 Hz (loud clusters
// 1.2-1.3 octaves and peaks of 0.9, real 0.9 octaves and 0.75).
void scratchy_v2(Draw& d, GlitchSignal& s, double t0) { blob_cloud(d, s, t0, {20, 50, {100, 250}, {4, 8}}); }

// Hardware injections of compact binaries: the loud part lasts ~0.1-0.2 s (v1 drew up to 1 s of
// inspiral; its loud clusters lasted 0.4 s, the real one's 0.1 s).
void chirp_v2(Draw& d, GlitchSignal& s, double t0) { inspiral(d, s, t0, {0.1, 0.4}); }

// ---- v3: the classes synth-check still measured unlike gravityspy-22's real scans under v2
// (data/README.md lists the statistic behind each change).

// "A string of short dots at ~1080 Hz": v2's dots were spaced 0.05-0.25 s apart and peaked at 0.86
// of the colour scale; the real string is weaker (0.58) and dense, its loud cluster 0.4 s long.
void lines_1080_v3(Draw& d, GlitchSignal& s, double t0) { dot_string(d, s, t0, {10, 30, {0.01, 0.03}, {3, 6}}); }

// "Fat ~0.4 s line near 50 Hz": v2's lines were 0.66 s long and 0.43 octaves thick, the real one 0.3 s and
// 0.6 octaves.
void air_compressor_v3(Draw& d, GlitchSignal& s, double t0) { trembling_line(d, s, t0, {2, 6}, {0.2, 0.45}); }

// Helix: faint streaks in a group (the real scan peaks at 0.38 of the colour scale, v2's blobs at 0.99),
// each a weak broadband pulse over 1.2 octaves of loud tiles.
void helix_v3(Draw& d, GlitchSignal& s, double t0) {
  const int streaks = d.integer(2, 5);
  const double spacing = d.uniform(0.08, 0.25);
  for (int k = 0; k < streaks; ++k) {
    s.pulses.push_back({t0 + (k - (streaks - 1) / 2.0) * spacing + d.uniform(-0.02, 0.02), d.log_uniform(5e-4, 2e-3),
                        d.uniform(5, 9)});
  }
}

// Light modulation: loud spikes rising out of a loud low-frequency lump beside them (real loud cluster
// 0.5 s and 4.2 octaves; v2's quiet lumps left the spikes alone, 0.07 s and 2.9 octaves).
void light_modulation_v3(Draw& d, GlitchSignal& s, double t0) {
  const int spikes = d.integer(2, 5);
  const double spacing = d.uniform(0.08, 0.2);
  for (int k = 0; k < spikes; ++k) {
    const double t = t0 + (k - spikes / 2.0) * spacing;
    s.pulses.push_back({t, d.log_uniform(5e-4, 2e-3), d.log_uniform(15, 60)});
    s.whitened.sine_gaussian(t + d.uniform(0, 0.15), d.uniform(12, 30), d.uniform(2, 5), d.uniform(15, 40), d.phase());
  }
}

// Doves: an up-sweep then a down-sweep over two and a half octaves (real 2.6 octaves, v2 1.1) and quieter
// (real peak 0.64 of the colour scale, v2 0.92); a pair every 0.4-0.8 s.
void paired_doves_v3(Draw& d, GlitchSignal& s, double t0) {
  const int pairs = d.integer(1, 3);
  const double spacing = d.uniform(0.4, 0.8);
  double t = t0 - (pairs - 1) * spacing / 2 - 0.1;
  for (int k = 0; k < pairs; ++k, t += spacing) {
    const double low = d.uniform(20, 35), high = d.uniform(100, 200), rise = d.uniform(0.1, 0.25), snr = d.uniform(8, 14);
    sweep(d, s, t, t + rise, low, high, snr);
    sweep(d, s, t + rise, t + rise + d.uniform(0.1, 0.25), high, low, 0.7 * snr);
  }
}

// The gnome hat reaches higher than v2's single sine-Gaussian (real loud cluster 3.1 octaves, v2 2.4):
// a weak thin pulse above the low-Q 30-60 Hz body.
void tomte_v3(Draw& d, GlitchSignal& s, double t0) {
  s.whitened.sine_gaussian(t0, d.uniform(30, 60), d.uniform(2, 4), d.uniform(15, 35), d.phase());
  s.pulses.push_back({t0 + d.uniform(-0.01, 0.01), d.log_uniform(1e-3, 3e-3), d.uniform(5, 10)});
}

// "Short lines at ~500 Hz and harmonics": short and faint (real loud cluster 0.14 s, peak 0.42 of the
// colour scale; v2's 0.5-1.5 s lines 0.47 s and 0.70), a few along the window.
void violin_mode_v3(Draw& d, GlitchSignal& s, double t0) {
  const double f = d.uniform(495, 510);
  const int bursts = d.integer(1, 4);
  for (int k = 0; k < bursts; ++k) {
    const double t = t0 + d.uniform(-0.45, 0.45), snr = d.uniform(4, 7);
    s.whitened.sine_gaussian(t, f, d.uniform(6, 15), snr, d.phase());
    if (d.chance(0.5)) s.whitened.sine_gaussian(t, 2 * f, d.uniform(6, 15), 0.8 * snr, d.phase());
  }
}

// The real wandering line breaks into pieces and jumps (loud pieces 0.05 s long over 0.7 octaves; v2's
// unbroken line 0.9 s and 0.24 octaves): the line fades in and out while it meanders quickly.
void wandering_line_v3(Draw& d, GlitchSignal& s, double t0) {
  const double f0 = d.uniform(1300, 1800), swing = d.uniform(100, 400), period = d.uniform(0.2, 0.8), phase = d.phase();
  const double gap_rate = d.uniform(2, 6), gap_phase = d.phase();
  s.whitened.tone(
      t0 - kLongestLine / 2, t0 + kLongestLine / 2,
      [=](double t) { return f0 + swing * std::sin(2 * kPi * t / period + phase); },
      [=](double t) { return std::max(0.0, std::sin(2 * kPi * gap_rate * t + gap_phase)); }, d.uniform(100, 200), 0.5,
      d.phase());
}

// In the order of kGlitchClasses.
constexpr std::array<Model, kGlitchClasses.size()> kModels = {
    lines_1080,  ripples_1400, air_compressor,   blip,         chirp,       extremely_loud,
    helix,       koi_fish,     light_modulation, low_frequency_burst, low_frequency_lines,
    [](Draw&, GlitchSignal&, double) {},  // No_Glitch: the noise alone
    none_of_the_above, paired_doves, power_line, repeating_blips<blip>, scattered_light, scratchy,
    tomte,       violin_mode,  wandering_line,   whistle};

using Models = std::array<Model, kGlitchClasses.size()>;

struct Refit {
  std::string_view glitch_class;
  Model model;
};

// `base` with the models of some classes replaced.
constexpr Models refitted(Models base, std::initializer_list<Refit> refits) {
  for (const Refit& r : refits) {
    const int k = position_of(kGlitchClasses, r.glitch_class);
    if (k < 0) throw std::logic_error("no such glitch class");  // a compile error here
    base[static_cast<std::size_t>(k)] = r.model;
  }
  return base;
}

constexpr Models kModelsV2 = refitted(
    kModels, {{"Blip", blip_v2},
              {"Chirp", chirp_v2},
              {"Extremely_Loud", extremely_loud_v2},
              {"Koi_Fish", koi_fish_v2},
              {"Low_Frequency_Burst", low_frequency_burst_v2},
              {"Low_Frequency_Lines", low_frequency_lines_v2},
              {"Repeating_Blips", repeating_blips<blip_v2>},
              {"Scattered_Light", scattered_light_v2},
              {"Scratchy", scratchy_v2},
              {"Wandering_Line", wandering_line_v2},
              {"Whistle", whistle_v2}});

constexpr Models kModelsV3 = refitted(
    kModelsV2, {{"1080Lines", lines_1080_v3},
                {"Air_Compressor", air_compressor_v3},
                {"Helix", helix_v3},
                {"Light_Modulation", light_modulation_v3},
                {"Paired_Doves", paired_doves_v3},
                {"Tomte", tomte_v3},
                {"Violin_Mode", violin_mode_v3},
                {"Wandering_Line", wandering_line_v3}});

// In the order of ModelSet.
constexpr std::array<const Models*, kModelSetNames.size()> kModelSets = {
    &kModels, &kModelsV2, &kModelsV3};

}  // namespace

ModelSet model_set_from_name(const std::string& name) {
  return static_cast<ModelSet>(position_or_throw(kModelSetNames, name, "glitch model set"));
}

const char* model_set_name(ModelSet models) { return kModelSetNames.at(static_cast<std::size_t>(models)); }

int glitch_class_index(const std::string& name) {
  return static_cast<int>(position_or_throw(kGlitchClasses, name, "glitch class"));
}

void draw_glitch(int class_index, Generator& gen, GlitchSignal& signal, ModelSet models) {
  Draw draw{gen};
  // Gravity Spy centres each scan on the glitch's peak time, to within a few tens of milliseconds.
  const double t0 = draw.uniform(-0.03, 0.03);
  kModelSets.at(static_cast<std::size_t>(models))->at(class_index)(draw, signal, t0);
}

}  // namespace gg::data::synth

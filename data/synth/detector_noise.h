#pragma once
// The detector side of a synthetic scan, in the frequency domain of one segment (n samples at
// sample_rate, time 0 in the middle):
//  - Gaussian noise coloured by Advanced LIGO's design sensitivity, whitened with an estimate of
//    that spectrum which is off by a smooth random factor, as a real PSD estimate is;
//  - broadband strain pulses (blips and their louder kin), whitened by the same filter, which is
//    what gives them their teardrop shape peaking in the detector's most sensitive band;
//  - spectral lines whose amplitude wanders (mains, calibration lines), the non-stationary part
//    of the noise that survives the scans' per-frequency median normalization.
#include <cstddef>

#include "data/synth/fft.h"
#include "data/synth/waveforms.h"
#include "engine/random.h"

namespace gg::data::synth {

// Advanced LIGO zero-detuned high-power design noise, the analytic fit of Ajith (2011, eq. 4.7):
// S(f) = 1e-49 [x^-4.14 - 5 x^-2 + 111 (1 - x^2 + x^4 / 2) / (1 + x^2 / 2)], x = f / 215 Hz, in 1/Hz.
// Below 10 Hz (outside the fit) it is held at a wall rising as f^-8.
double aligo_psd(double f);

// Adds whitened noise with unit variance per time sample (before the residual colour) to the
// one-sided spectrum (n / 2 + 1 bins, FFTW's unnormalised convention).
void add_whitened_noise(FftArray<Complex>& spectrum, double sample_rate, std::size_t n, Generator& gen);

// A Gaussian pulse exp(-(t - t0)^2 / (2 width^2)) in strain, scaled so that after whitening its SNR is `snr`.
struct StrainPulse {
  double t0 = 0;
  double width = 0.002;
  double snr = 10;
};
void add_whitened_pulse(FftArray<Complex>& spectrum, double sample_rate, std::size_t n, const StrainPulse& pulse);

// Zero to three long lines (60 Hz mains or a 12-40 Hz calibration line) with slowly wandering amplitude.
void add_noise_lines(WaveformBuilder& whitened, Generator& gen);

}  // namespace gg::data::synth

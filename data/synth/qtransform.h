#pragma once
// An Omega-style Q transform (Chatterji 2005; as gwpy's q_transform that made the Gravity Spy
// scans): the whitened data are tiled in time and log frequency at several quality factors Q; each
// tile's energy is normalised by the median (or the mean) over its frequency row; the Q plane with
// the loudest tile near the centre is the scan. In Gaussian noise a tile's energy is exponential,
// so the median leaves the background a mean of 1 / ln 2 = 1.44, the mean one of 1. The mean,
// though, rises with a loud line that fills much of a row and dims the line with it; the median
// times 1 / ln 2 estimates the noise's mean as robustly as the median does (Omega's estimate).
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "data/synth/fft.h"

namespace gg::data::synth {

struct QTransformOptions {
  double f_min = 10, f_max = 2048;  // Hz
  double q_min = 4, q_max = 64;
  double mismatch = 0.2;            // largest fractional energy loss between neighbouring tiles
  double search = 0.5;              // seconds either side of the centre in which the loudest tile is sought
  std::size_t max_row_samples = 8192;  // time samples per row at most (about 1 ms over an 8 s segment)
  // What each frequency row's energy is divided by: its median, its mean, or median / ln 2.
  enum class Norm { median, mean, robust_mean } norm = Norm::median;
};

// The names `glitchgan synth --energy-norm` takes, in the order of QTransformOptions::Norm;
// energy_norm_from_name throws std::invalid_argument for any other.
inline constexpr std::array<const char*, 3> kEnergyNormNames = {"median", "mean", "robust-mean"};
QTransformOptions::Norm energy_norm_from_name(const std::string& name);
const char* energy_norm_name(QTransformOptions::Norm norm);

// One Q plane: rows of normalized energy at log-spaced frequencies. Row r has its own number of
// time samples, evenly spaced over the periodic segment.
struct QPlane {
  double q = 0;
  std::vector<double> frequencies;
  std::vector<std::vector<float>> energy;
  float peak = 0;  // loudest normalized energy within the search window
};

// The Q transform of a whitened segment given by its one-sided spectrum (n / 2 + 1 bins of an
// n-sample segment lasting `duration` seconds); returns the plane with the loudest central tile.
QPlane q_transform(const FftArray<Complex>& spectrum, std::size_t n, double duration, const QTransformOptions& options = {});

// Normalized energy on a grid: out[i * times.size() + j] at frequencies[i], times[j] (seconds from
// the segment's middle), linear in time within a row and in log frequency between rows.
void sample_plane(const QPlane& plane, double duration, std::span<const double> frequencies,
                  std::span<const double> times, float* out);

}  // namespace gg::data::synth

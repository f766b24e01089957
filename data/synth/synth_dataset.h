#pragma once
// Writes a synthetic data set in the Gravity Spy layout:
//   <out>/<Class>/<ifo>_<id>_spectrogram_<window>.png
// with per-class counts falling geometrically from `per_class` to per_class / imbalance.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gg::data::synth {

struct SynthDatasetOptions {
  std::filesystem::path out;
  std::size_t per_class = 10;
  std::vector<std::string> classes;  // empty: all 22
  double imbalance = 1;              // ratio of the first class's count to the last's (>= 1)
  std::uint64_t seed = 0;
  std::vector<double> windows{0.5, 1.0, 2.0, 4.0};
  int png_compression = 3;  // zlib level: 3 is much faster than 6 and barely larger on noisy images
};

// Class k of K gets round(per_class * imbalance^(-k / (K - 1))) glitches, at least 1.
std::vector<std::size_t> imbalanced_counts(std::size_t per_class, std::size_t classes, double imbalance);

struct SynthProgress {
  std::size_t done = 0, total = 0;  // glitches
  double seconds = 0;               // since the start
};

struct SynthSummary {
  std::vector<std::string> classes;
  std::vector<std::size_t> counts;
  std::size_t images = 0;
  double seconds = 0;
};

// Generates the glitches in parallel (OpenMP) and calls `progress` (from one thread at a time)
// after each. Throws std::invalid_argument for bad options, std::runtime_error for I/O failures.
SynthSummary write_synth_dataset(const SynthDatasetOptions& options,
                                 const std::function<void(const SynthProgress&)>& progress = {});

}  // namespace gg::data::synth

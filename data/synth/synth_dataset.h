#pragma once
// Writes a synthetic data set in the Gravity Spy layout. Without held-out splits:
//   <out>/<Class>/<ifo>_<id>_spectrogram_<window>.png
// with per-class counts falling geometrically from `per_class` to per_class / imbalance. With them:
//   <out>/<train|validation|test>/<Class>/<ifo>_<id>_spectrogram_<window>.png
// where train is that imbalanced set and validation and test are balanced, each drawn from its own
// seed stream, so no glitch is in two splits.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/synth/synth_scan.h"

namespace gg::data::synth {

struct SynthDatasetOptions {
  std::filesystem::path out;
  std::size_t per_class = 10;
  std::vector<std::string> classes;  // empty: all 22
  double imbalance = 1;              // ratio of the first class's count to the last's (>= 1)
  // Glitches per class of the balanced validation and test splits; both 0: no split folders.
  std::size_t validation_per_class = 0;
  std::size_t test_per_class = 0;
  std::uint64_t seed = 0;
  std::vector<double> windows{0.5, 1.0, 2.0, 4.0};
  int png_compression = 3;  // zlib level: 3 is much faster than 6 and barely larger on noisy images
  ScanOptions scan;          // the segment and the Q transform (its energy normalisation among them)
};

// Class k of K gets round(per_class * imbalance^(-k / (K - 1))) glitches, at least 1.
std::vector<std::size_t> imbalanced_counts(std::size_t per_class, std::size_t classes, double imbalance);

// The seed streams: glitch i of a class in split s is synth_glitch index s * kSplitStride + i, so the
// splits never share a random stream (and the training split, or the flat set, starts at index 0).
enum class SynthSplit { train = 0, validation = 1, test = 2 };
inline constexpr std::uint64_t kSplitStride = std::uint64_t{1} << 22;  // glitches per class and split, at most

// A Gravity Spy-like id (ten letters and digits) unique to (class, split, index < kSplitStride) for a
// given seed.
std::string synth_glitch_id(std::uint64_t seed, int class_index, SynthSplit split, std::uint64_t index);

// Throws std::invalid_argument naming the flag (--per-class, --validation-per-class, ...) of a bad option.
void check_synth_options(const SynthDatasetOptions& options);

struct SynthProgress {
  std::size_t done = 0, total = 0;  // glitches
  double seconds = 0;               // since the start
};

struct SynthSummary {
  std::vector<std::string> classes;
  std::vector<std::size_t> counts;  // per class, of the training split (or of the flat set)
  std::size_t validation_per_class = 0, test_per_class = 0;
  std::size_t glitches = 0, images = 0;
  double seconds = 0;
};

// Generates the glitches in parallel (OpenMP) and calls `progress` (from one thread at a time)
// after each. Throws std::invalid_argument for bad options (before writing anything),
// std::runtime_error for I/O failures.
SynthSummary write_synth_dataset(const SynthDatasetOptions& options,
                                 const std::function<void(const SynthProgress&)>& progress = {});

}  // namespace gg::data::synth

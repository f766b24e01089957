#pragma once
// What the classifier commands (train-classifier, eval-classifier, anomalies) share: loading a
// Gravity Spy folder as a classifier sees it, choosing a split, and printing a metrics report.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/preprocess.h"
#include "nets/classification_metrics.h"
#include "nets/classifier_checkpoint.h"

namespace gg::tools {

// The folder at `root` prepared by `preprocess` (every class found, sorted), cached in `cache_dir`
// (empty: no cache). Prints one line about what was loaded (unless `report` is false); errors are
// prefixed with `flag`.
data::Dataset load_classifier_data(const std::filesystem::path& root, const data::PreprocessOptions& preprocess,
                                   const std::filesystem::path& cache_dir, const std::string& flag, bool report = true);

// The folder loaded as the checkpoint's classifier was trained (its preprocessing) and placed in
// its label space; a class the classifier does not know is an error naming it and the checkpoint.
data::Dataset load_for_checkpoint(const std::filesystem::path& root, const nets::ClassifierCheckpoint& meta,
                                  const std::filesystem::path& checkpoint, const std::filesystem::path& cache_dir);

// The choices of --split: the split folders (else the training run's seeded stratified split,
// nets::classifier_splits) or every image.
inline constexpr std::array<const char*, 4> kSplitChoices = {"test", "validation", "train", "all"};

// One of kSplitChoices; another name is an error listing them.
data::Dataset choose_split(const data::Dataset& dataset, const std::string& split, std::uint64_t seed);

// Accuracy, macro-F1, a per-class table (precision, recall, F1, support) and the `pairs` most
// confused pairs, as printable text.
std::string report_text(const nets::ClassificationReport& report, const std::vector<std::string>& class_names, int pairs);

// "42s", "3m07s", "1h05m" ("?" when unknown).
std::string duration_text(double seconds);

}  // namespace gg::tools

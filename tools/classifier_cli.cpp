#include "tools/classifier_cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "data/gravityspy_loader.h"
#include "nets/classifier_data.h"

namespace gg::tools {

data::Dataset load_classifier_data(const std::filesystem::path& root, const data::PreprocessOptions& preprocess,
                                   const std::filesystem::path& cache_dir, const std::string& flag, bool report) {
  data::LoadOptions o;
  o.root = root;
  o.preprocess = preprocess;
  o.cache_dir = cache_dir;
  data::LoadedDataset loaded;
  try {
    loaded = data::load_gravityspy(o);
  } catch (const std::exception& e) {
    throw std::runtime_error(flag + " " + root.string() + ": " + e.what());
  }
  if (report)
    fmt::print("{}: {} images of {} class(es) from {} ({}), {}x{} x{} channel(s)\n", flag, loaded.dataset.size(),
             loaded.dataset.num_classes(), root.string(),
             loaded.report.from_cache ? "cache" : fmt::format("decoded {} PNGs", loaded.report.decoded_pngs),
             loaded.dataset.height(), loaded.dataset.width(), loaded.dataset.channels());
  return std::move(loaded.dataset);
}

data::Dataset load_for_checkpoint(const std::filesystem::path& root, const nets::ClassifierCheckpoint& meta,
                                  const std::filesystem::path& checkpoint, const std::filesystem::path& cache_dir) {
  const data::Dataset found = load_classifier_data(root, meta.preprocess, cache_dir, "--data");
  try {
    return nets::relabel_into(found, meta.class_names);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("--data {}: the classifier {} does not know some of its classes ({}); it knows {}",
                                            root.string(), checkpoint.string(), e.what(), fmt::join(meta.class_names, ", ")));
  }
}

data::Dataset choose_split(const data::Dataset& dataset, const std::string& split, std::uint64_t seed) {
  if (split == "all") return dataset;
  const data::Splits s = nets::classifier_splits(dataset, seed);
  if (split == "train") return s.train;
  if (split == "validation") return s.validation;
  if (split == "test") return s.test;
  throw std::invalid_argument(fmt::format("--split {}: choose one of {}", split, fmt::join(kSplitChoices, ", ")));
}

std::string report_text(const nets::ClassificationReport& r, const std::vector<std::string>& names, int pairs) {
  std::size_t width = 5;
  for (const std::string& n : names) width = std::max(width, n.size());
  std::int64_t total = 0;
  for (const nets::ClassMetrics& m : r.per_class) total += m.support;
  std::string out = fmt::format("accuracy {:.2f}%  macro-F1 {:.4f}  ({} samples)\n\n", 100 * r.accuracy, r.macro_f1, total);
  out += fmt::format("{:<{}}  precision  recall      F1  support\n", "class", width);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const nets::ClassMetrics& m = r.per_class[k];
    out += fmt::format("{:<{}}  {:9.3f}  {:6.3f}  {:6.3f}  {:7}\n", names[k], width, m.precision, m.recall, m.f1, m.support);
  }
  const std::vector<nets::ConfusedPair> confused = r.most_confused(pairs);
  out += confused.empty() ? "\nno confusions\n" : "\nmost confused (true -> predicted: count)\n";
  for (const nets::ConfusedPair& p : confused) {
    out += fmt::format("  {} -> {}: {}\n", names[static_cast<std::size_t>(p.truth)], names[static_cast<std::size_t>(p.predicted)],
                       p.count);
  }
  return out;
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace gg::tools

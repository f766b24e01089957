#pragma once
// load_gravityspy: the Gravity Spy layout → a preprocessed Dataset, through the cache when one
// is asked for. The first load decodes every PNG (in parallel) and writes the cache; later loads
// with the same options and unchanged files map the cache and decode nothing. Any change to an
// option, or to a file's path, size or modification time, gives another key, hence a rebuild.
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/preprocess.h"

namespace gg::data {

struct LoadOptions {
  std::filesystem::path root;
  PreprocessOptions preprocess;
  // Keep only these classes, labelled in this order; empty keeps every class found, sorted.
  std::vector<std::string> classes;
  // Skip unreadable, mis-sized or misnamed files and empty classes instead of failing.
  bool skip_bad = false;
  // The official release's metadata CSV: when given, each glitch's split comes from its
  // sample_type column (the release has no split folders).
  std::filesystem::path metadata_csv;
  // Folder for cache files; empty disables the cache.
  std::filesystem::path cache_dir;
};

struct LoadReport {
  std::size_t decoded_pngs = 0;       // 0 when the cache was used
  std::size_t skipped = 0;            // glitches or folders skipped by skip_bad
  std::vector<std::string> problems;  // one line per skipped item
  bool from_cache = false;
  std::filesystem::path cache_file;
  // Glitches decoded from each form (data/preprocess.h); both 0 when the cache was used.
  std::size_t full_figures = 0, plot_areas = 0, sample_sized = 0;
};

struct LoadedDataset {
  Dataset dataset;
  LoadReport report;
};

// Throws std::runtime_error naming the folder or file on bad input (unless skip_bad covers it).
LoadedDataset load_gravityspy(const LoadOptions& options);

}  // namespace gg::data

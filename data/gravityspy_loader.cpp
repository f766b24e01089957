#include "data/gravityspy_loader.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "data/dataset_cache.h"
#include "data/fingerprint.h"
#include "data/gravityspy_layout.h"
#include "data/gravityspy_metadata.h"

namespace gg::data {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kPipelineVersion = 1;  // bump when preprocessing changes its output

std::uint64_t cache_key(const LoadOptions& options, const LayoutScan& scan) {
  Fingerprint f;
  f.add(kPipelineVersion).add(options.preprocess.describe()).add(std::uint64_t{options.skip_bad});
  f.add(std::uint64_t{options.classes.size()});
  for (const std::string& c : options.classes) f.add(c);
  for (const std::string& p : scan.problems) f.add(p);
  for (const GlitchFiles& g : scan.glitches) {
    f.add(g.split).add(g.label);
    for (const fs::path& path : g.windows) {
      f.add(path.string());
      if (path.empty()) continue;
      std::error_code ec;
      const auto size = fs::file_size(path, ec);
      const auto mtime = fs::last_write_time(path, ec);
      f.add(static_cast<std::uint64_t>(size)).add(static_cast<std::uint64_t>(mtime.time_since_epoch().count()));
    }
  }
  return f.value();
}

// The class list the dataset is labelled with: the requested classes (all must exist) or all found.
std::vector<std::string> chosen_classes(const LoadOptions& options, const LayoutScan& scan) {
  if (options.classes.empty()) return scan.classes;
  for (const std::string& c : options.classes) {
    if (std::find(scan.classes.begin(), scan.classes.end(), c) == scan.classes.end()) {
      throw std::runtime_error("Gravity Spy loader: no class folder " + c + " under " + options.root.string());
    }
  }
  return options.classes;
}

LoadedDataset decode_all(const LoadOptions& options, const LayoutScan& scan, const std::vector<std::string>& classes) {
  std::vector<const GlitchFiles*> chosen;
  std::vector<int> labels;
  for (const GlitchFiles& g : scan.glitches) {
    const auto found = std::find(classes.begin(), classes.end(), g.label);
    if (found == classes.end()) continue;
    chosen.push_back(&g);
    labels.push_back(static_cast<int>(found - classes.begin()));
  }
  const PreprocessOptions& pre = options.preprocess;
  const std::size_t n = chosen.size(), bytes = pre.sample_bytes();
  std::vector<std::uint8_t> pixels(n * bytes);
  std::vector<std::string> errors(n);
  std::vector<ImageForm> forms(n);
  // Exceptions cannot leave an OpenMP loop: each glitch records its error, handled in order below.
#pragma omp parallel for schedule(dynamic, 4)
  for (std::size_t i = 0; i < n; ++i) {
    try {
      forms[i] = preprocess_glitch(*chosen[i], pre, pixels.data() + i * bytes);
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  }
  LoadedDataset out;
  out.report.problems = scan.problems;
  std::vector<int> kept_labels;
  std::vector<SampleInfo> infos;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!errors[i].empty()) {
      if (!options.skip_bad) throw std::runtime_error("Gravity Spy loader: " + errors[i]);
      out.report.problems.push_back(errors[i]);
      continue;
    }
    if (kept != i) std::copy_n(pixels.data() + i * bytes, bytes, pixels.data() + kept * bytes);
    ++kept;
    ++(forms[i] == ImageForm::full_figure ? out.report.full_figures
       : forms[i] == ImageForm::plot_area ? out.report.plot_areas
                                          : out.report.sample_sized);
    kept_labels.push_back(labels[i]);
    infos.push_back({chosen[i]->split, chosen[i]->ifo, chosen[i]->id});
  }
  pixels.resize(kept * bytes);
  out.report.decoded_pngs = n * pre.windows.size();
  out.report.skipped = out.report.problems.size();
  out.dataset = Dataset(classes, pre.channels(), pre.height, pre.width, std::move(pixels), std::move(kept_labels),
                        std::move(infos));
  return out;
}

}  // namespace

LoadedDataset load_gravityspy(const LoadOptions& options) {
  options.preprocess.validate();
  LayoutScan scan = scan_layout(options.root, options.skip_bad);
  if (!options.metadata_csv.empty())
    apply_metadata_splits(scan, read_gravityspy_metadata(options.metadata_csv), options.metadata_csv, options.skip_bad);
  const std::vector<std::string> classes = chosen_classes(options, scan);
  if (options.cache_dir.empty()) return decode_all(options, scan, classes);

  const std::uint64_t key = cache_key(options, scan);
  const fs::path cache_file = cache_file_path(options.cache_dir, key);
  if (std::optional<CachedDataset> cached = read_dataset_cache(cache_file, key)) {
    LoadedDataset out{std::move(cached->dataset), {}};
    out.report.problems = std::move(cached->problems);
    out.report.skipped = out.report.problems.size();
    out.report.from_cache = true;
    out.report.cache_file = cache_file;
    return out;
  }
  LoadedDataset out = decode_all(options, scan, classes);
  write_dataset_cache(cache_file, key, out.dataset, out.report.problems);
  out.report.cache_file = cache_file;
  return out;
}

}  // namespace gg::data

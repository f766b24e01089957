#include "nets/classifier_data.h"

#include <algorithm>
#include <stdexcept>

#include "data/gravityspy_layout.h"
#include "data/gravityspy_loader.h"
#include "data/png_io.h"

namespace gg::nets {

data::Dataset relabel_into(const data::Dataset& dataset, const std::vector<std::string>& names) {
  std::vector<int> new_label;
  std::string missing;
  for (const std::string& name : dataset.class_names()) {
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) missing += (missing.empty() ? "" : ", ") + name;
    new_label.push_back(static_cast<int>(found - names.begin()));
  }
  if (!missing.empty()) throw std::invalid_argument("classes not in the label space: " + missing);
  std::vector<std::uint8_t> pixels(dataset.size() * dataset.sample_bytes());
  std::vector<int> labels;
  std::vector<data::SampleInfo> infos;
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    std::copy_n(dataset.pixels(i).data(), dataset.sample_bytes(), pixels.data() + i * dataset.sample_bytes());
    labels.push_back(new_label[static_cast<std::size_t>(dataset.label(i))]);
    infos.push_back(dataset.info(i));
  }
  return data::Dataset(names, dataset.channels(), dataset.height(), dataset.width(), std::move(pixels), std::move(labels),
                       std::move(infos));
}

data::Splits classifier_splits(const data::Dataset& dataset, std::uint64_t seed) {
  bool folders = !dataset.empty();
  for (std::size_t i = 0; i < dataset.size() && folders; ++i) folders = !dataset.info(i).split.empty();
  return folders ? data::folder_splits(dataset) : data::stratified_split(dataset, {0.8, 0.1, 0.1}, seed);
}

data::PreprocessOptions generated_preprocess(const std::filesystem::path& folder, const data::PreprocessOptions& real) {
  const data::LayoutScan scan = data::scan_layout(folder, false);
  const data::GlitchFiles& first = scan.glitches.front();
  const auto file = std::find_if(first.windows.begin(), first.windows.end(), [](const auto& p) { return !p.empty(); });
  const data::Image image = data::read_png(*file);
  data::PreprocessOptions p = real;
  p.crop = {0, image.height, 0, image.width};
  p.expected_width = p.expected_height = 0;
  return p;
}

data::Dataset load_generated(const std::filesystem::path& folder, const data::PreprocessOptions& real,
                             const std::vector<std::string>& class_names, const std::filesystem::path& cache_dir) {
  data::LoadOptions o;
  o.root = folder;
  o.preprocess = generated_preprocess(folder, real);
  o.cache_dir = cache_dir;
  const data::LoadedDataset loaded = data::load_gravityspy(o);
  try {
    return relabel_into(loaded.dataset, class_names);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("generated images in " + folder.string() + ": " + e.what());
  }
}

}  // namespace gg::nets

#include "tools/progan_cli.h"

#include <fmt/core.h>

#include <stdexcept>

#include "data/gravityspy_loader.h"
#include "engine/backend.h"

namespace gg::tools {

Device checked_device(const std::string& text) {
  try {
    const Device device = Device::parse(text);
    backend_for(device);  // throws when the build or the machine lacks it
    return device;
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("--device ") + text + ": " + e.what());
  }
}

data::Dataset load_gan_data(const std::filesystem::path& root, const nets::ProganTrainConfig& config,
                            const std::vector<std::string>& classes, const std::filesystem::path& cache_dir,
                            bool report) {
  if (config.net.channels != 1 && config.net.channels != 3) {
    throw std::invalid_argument("--channels must be 1 (gray) or 3 (RGB), not " + std::to_string(config.net.channels));
  }
  data::LoadOptions o;
  o.root = root;
  o.preprocess.windows = {std::stod(config.window)};
  o.preprocess.height = o.preprocess.width = config.net.resolution;
  o.preprocess.color = config.net.channels == 3 ? data::ColorMode::rgb : data::ColorMode::gray;
  o.classes = classes;
  o.cache_dir = cache_dir;
  data::LoadedDataset loaded = data::load_gravityspy(o);
  if (report)
    fmt::print("data: {} images of {} class(es) from {} ({})\n", loaded.dataset.size(), loaded.dataset.num_classes(),
             root.string(), loaded.report.from_cache ? "cache" : fmt::format("decoded {} PNGs", loaded.report.decoded_pngs));
  return std::move(loaded.dataset);
}

}  // namespace gg::tools

#include "data/preprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "data/png_io.h"

namespace gg::data {

std::string PreprocessOptions::describe() const {
  std::ostringstream s;
  s << "crop rows " << crop.row0 << ":" << crop.row1 << " cols " << crop.col0 << ":" << crop.col1 << ", windows";
  for (double w : windows) s << " " << kWindowNames[window_index(w)];
  s << ", " << height << "x" << width << " " << (color == ColorMode::gray ? "gray" : "rgb") << ", expected size "
    << expected_width << "x" << expected_height << " (or the plot area alone, within " << plot_area_tolerance
    << ")";
  return s.str();
}

void PreprocessOptions::validate() const {
  if (windows.empty()) throw std::invalid_argument("preprocess: choose at least one time window");
  for (double w : windows) window_index(w);
  if (height <= 0 || width <= 0) throw std::invalid_argument("preprocess: the output size must be positive");
  if (crop.height() <= 0 || crop.width() <= 0 || crop.row0 < 0 || crop.col0 < 0) {
    throw std::invalid_argument("preprocess: the crop box is empty or negative");
  }
  if (expected_width > 0 && (crop.col1 > expected_width || crop.row1 > expected_height)) {
    throw std::invalid_argument("preprocess: the crop box does not fit the expected image size");
  }
  if (!(plot_area_tolerance >= 0 && plot_area_tolerance < 1)) {
    throw std::invalid_argument("preprocess: the plot-area tolerance must be in [0, 1)");
  }
}

const char* image_form_name(ImageForm form) {
  switch (form) {
    case ImageForm::full_figure: return "full figure";
    case ImageForm::plot_area: return "plot area";
    case ImageForm::sample_sized: return "sample-sized image";
  }
  return "?";
}

ImageForm image_form(int width, int height, const PreprocessOptions& options, const std::string& name) {
  const CropBox& box = options.crop;
  if (options.expected_width <= 0) {
    if (width >= box.col1 && height >= box.row1) return ImageForm::full_figure;
    throw std::runtime_error(fmt::format("mis-sized image {}: {}x{}, expected one the crop box ({}x{} from column {}, "
                                         "row {}) fits", name, width, height, box.width(), box.height(), box.col0,
                                         box.row0));
  }
  if (width == options.expected_width && height == options.expected_height) return ImageForm::full_figure;
  if (width == options.width && height == options.height) return ImageForm::sample_sized;
  auto near = [&](int have, int want) {
    return std::abs(have - want) <= options.plot_area_tolerance * static_cast<double>(want);
  };
  if (near(width, box.width()) && near(height, box.height())) return ImageForm::plot_area;
  throw std::runtime_error(fmt::format("mis-sized image {}: {}x{}; expected a full {}x{} figure or its plot area alone "
                                       "(about {}x{}, within {:g}%, e.g. 569x479 or 570x470) or an image of the sample's {}x{}",
                                       name, width, height, options.expected_width, options.expected_height,
                                       box.width(), box.height(), 100 * options.plot_area_tolerance, options.width,
                                       options.height));
}

ImageForm preprocess_image(const Image& image, const PreprocessOptions& options, const std::string& name,
                           std::uint8_t* out) {
  const ImageForm form = image_form(image.width, image.height, options, name);
  const Image cropped = form == ImageForm::full_figure ? crop(image, options.crop) : image;  // the plot area
  const Image converted = options.color == ColorMode::gray ? to_gray(cropped) : to_rgb(cropped);
  const std::vector<float> resized = resize_area(to_planar(converted), converted.channels, converted.height,
                                                 converted.width, options.height, options.width);
  std::transform(resized.begin(), resized.end(), out, [](float v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  });
  return form;
}

ImageForm preprocess_glitch(const GlitchFiles& glitch, const PreprocessOptions& options, std::uint8_t* out) {
  std::optional<ImageForm> first;
  const std::size_t window_bytes = static_cast<std::size_t>(options.channels_per_window()) * options.height * options.width;
  for (std::size_t k = 0; k < options.windows.size(); ++k) {
    const int w = window_index(options.windows[k]);
    const auto& path = glitch.windows[w];
    if (path.empty()) {
      throw std::runtime_error("glitch " + glitch.name() + " has no " + kWindowNames[w] + " s spectrogram");
    }
    const ImageForm form = preprocess_image(read_png(path), options, path.string(), out + k * window_bytes);
    if (first && form != *first) {
      throw std::runtime_error(fmt::format("glitch {}: {} is a {} but its other windows are a {}", glitch.name(),
                                           path.string(), image_form_name(form), image_form_name(*first)));
    }
    first = form;
  }
  return *first;
}

}  // namespace gg::data

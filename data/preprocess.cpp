#include "data/preprocess.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "data/png_io.h"

namespace gg::data {

std::string PreprocessOptions::describe() const {
  std::ostringstream s;
  s << "crop rows " << crop.row0 << ":" << crop.row1 << " cols " << crop.col0 << ":" << crop.col1 << ", windows";
  for (double w : windows) s << " " << kWindowNames[window_index(w)];
  s << ", " << height << "x" << width << " " << (color == ColorMode::gray ? "gray" : "rgb") << ", expected size "
    << expected_width << "x" << expected_height;
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
}

void preprocess_image(const Image& image, const PreprocessOptions& options, const std::string& name,
                      std::uint8_t* out) {
  const bool size_ok = options.expected_width > 0
                           ? image.width == options.expected_width && image.height == options.expected_height
                           : image.width >= options.crop.col1 && image.height >= options.crop.row1;
  if (!size_ok) {
    throw std::runtime_error("mis-sized image " + name + ": " + std::to_string(image.width) + "x" +
                             std::to_string(image.height) + ", expected " +
                             (options.expected_width > 0 ? std::to_string(options.expected_width) + "x" +
                                                               std::to_string(options.expected_height)
                                                         : "one the crop box fits"));
  }
  const Image cropped = crop(image, options.crop);
  const Image converted = options.color == ColorMode::gray ? to_gray(cropped) : to_rgb(cropped);
  const std::vector<float> resized = resize_area(to_planar(converted), converted.channels, converted.height,
                                                 converted.width, options.height, options.width);
  std::transform(resized.begin(), resized.end(), out, [](float v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
  });
}

void preprocess_glitch(const GlitchFiles& glitch, const PreprocessOptions& options, std::uint8_t* out) {
  const std::size_t window_bytes = static_cast<std::size_t>(options.channels_per_window()) * options.height * options.width;
  for (std::size_t k = 0; k < options.windows.size(); ++k) {
    const int w = window_index(options.windows[k]);
    const auto& path = glitch.windows[w];
    if (path.empty()) {
      throw std::runtime_error("glitch " + glitch.name() + " has no " + kWindowNames[w] + " s spectrogram");
    }
    preprocess_image(read_png(path), options, path.string(), out + k * window_bytes);
  }
}

}  // namespace gg::data

#pragma once
// From Gravity Spy PNGs to training samples: crop the plot area, convert to gray or RGB, resize by
// area averaging, and stack the chosen time windows as channels. Samples are kept as bytes
// (C, H, W); Dataset turns them into floats in [-1, 1].
#include <cstdint>
#include <string>
#include <vector>

#include "data/gravityspy_layout.h"
#include "data/image.h"

namespace gg::data {

enum class ColorMode { gray, rgb };

struct PreprocessOptions {
  // The plot area the Gravity Spy classifiers use: rows 66:532, columns 105:671 (466 x 566).
  CropBox crop{66, 532, 105, 671};
  std::vector<double> windows{1.0};  // seconds, from kWindows; each adds 1 (gray) or 3 (RGB) channels
  int height = 64;
  int width = 64;
  ColorMode color = ColorMode::gray;
  // Images of any other size are rejected as mis-sized; 0 accepts any size the crop fits in.
  int expected_width = 800;
  int expected_height = 600;

  int channels_per_window() const { return color == ColorMode::gray ? 1 : 3; }
  int channels() const { return static_cast<int>(windows.size()) * channels_per_window(); }
  std::size_t sample_bytes() const { return static_cast<std::size_t>(channels()) * height * width; }
  // Every field, in text: part of the cache key and of messages.
  std::string describe() const;
  // Throws std::invalid_argument naming the bad field.
  void validate() const;
};

// One decoded image → channels_per_window() planes of height x width bytes at `out`.
// Throws std::runtime_error naming `name` when the image is mis-sized.
void preprocess_image(const Image& image, const PreprocessOptions& options, const std::string& name,
                      std::uint8_t* out);

// Reads the glitch's chosen windows and writes sample_bytes() bytes at `out`. Throws
// std::runtime_error naming the glitch or file when a window is missing or a file is bad.
void preprocess_glitch(const GlitchFiles& glitch, const PreprocessOptions& options, std::uint8_t* out);

}  // namespace gg::data

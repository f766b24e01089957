#pragma once
// From Gravity Spy PNGs to training samples: crop the plot area, convert to gray or RGB, resize by
// area averaging, and stack the chosen time windows as channels. Samples are kept as bytes
// (C, H, W); Dataset turns them into floats in [-1, 1].
//
// Public copies of Gravity Spy come in two forms, told apart by size: the full 800x600 Omega-scan
// figures (axes, title, colour bar), whose plot area is cropped out, and the plot area alone,
// already cut out by whoever re-packaged the set (569x479 or 570x470: the crop box give or take a
// few pixels of frame), which is used whole. A third form is this project's own: images already of
// the sample's size (the generated images `augment` writes), taken as they are.
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
  // The full figure's size. Other images are taken as the plot area alone when each side is
  // within plot_area_tolerance of the crop box's, and rejected as mis-sized otherwise.
  // expected_width 0: any size the crop fits in is cropped (generated images, crop = the image).
  int expected_width = 800;
  int expected_height = 600;
  double plot_area_tolerance = 0.05;

  int channels_per_window() const { return color == ColorMode::gray ? 1 : 3; }
  int channels() const { return static_cast<int>(windows.size()) * channels_per_window(); }
  std::size_t sample_bytes() const { return static_cast<std::size_t>(channels()) * height * width; }
  // Every field, in text: part of the cache key and of messages.
  std::string describe() const;
  // Throws std::invalid_argument naming the bad field.
  void validate() const;
};

enum class ImageForm { full_figure, plot_area, sample_sized };
const char* image_form_name(ImageForm form);  // "full figure", "plot area", "sample-sized image"

// The form of a width x height image; throws std::runtime_error naming `name` (and the sizes
// accepted) when it is neither.
ImageForm image_form(int width, int height, const PreprocessOptions& options, const std::string& name);

// One decoded image → channels_per_window() planes of height x width bytes at `out`; returns the
// form it had. Throws std::runtime_error naming `name` when the image is mis-sized.
ImageForm preprocess_image(const Image& image, const PreprocessOptions& options, const std::string& name,
                           std::uint8_t* out);

// Reads the glitch's chosen windows and writes sample_bytes() bytes at `out`; returns the form of
// its first window. Throws std::runtime_error naming the glitch or file when a window is missing,
// a file is bad, or its windows come in different forms.
ImageForm preprocess_glitch(const GlitchFiles& glitch, const PreprocessOptions& options, std::uint8_t* out);

}  // namespace gg::data

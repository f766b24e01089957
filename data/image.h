#pragma once
// Image: 8-bit pixels, interleaved channels, rows top to bottom, and the few operations the data
// pipeline needs on them (crop, channel conversion, area-averaging resize).
#include <cstdint>
#include <vector>

namespace gg::data {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  std::vector<std::uint8_t> pixels;  // height * width * channels, interleaved

  Image() = default;
  Image(int width, int height, int channels);
  std::uint8_t* at(int x, int y) { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels; }
  const std::uint8_t* at(int x, int y) const {
    return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels;
  }
};

// A rectangle of rows [row0, row1) and columns [col0, col1), numpy-style.
struct CropBox {
  int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
  int height() const { return row1 - row0; }
  int width() const { return col1 - col0; }
  bool operator==(const CropBox&) const = default;
};

// The sub-image inside `box`; throws std::invalid_argument when the box does not fit.
Image crop(const Image& image, const CropBox& box);

// Gray (luma, ITU-R BT.601 weights as PIL's convert("L")) or RGB; alpha is dropped, since the
// spectrogram plots are opaque.
Image to_gray(const Image& image);
Image to_rgb(const Image& image);

// Planar float copy of the image, channel-major (C, H, W), values 0..255.
std::vector<float> to_planar(const Image& image);

// Area-averaging resize of a planar (C, H, W) float image to (C, out_h, out_w): every output pixel
// is the mean of the input area it covers, with fractional weights at the borders (what
// OpenCV's INTER_AREA and PIL's BOX filter compute), so downscaling never aliases.
std::vector<float> resize_area(const std::vector<float>& planes, int channels, int height, int width,
                               int out_height, int out_width);

}  // namespace gg::data

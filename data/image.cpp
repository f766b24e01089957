#include "data/image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gg::data {

Image::Image(int w, int h, int c)
    : width(w), height(h), channels(c), pixels(static_cast<std::size_t>(w) * h * c, 0) {}

Image crop(const Image& image, const CropBox& box) {
  if (box.row0 < 0 || box.col0 < 0 || box.row1 > image.height || box.col1 > image.width ||
      box.height() <= 0 || box.width() <= 0) {
    throw std::invalid_argument("crop: box rows " + std::to_string(box.row0) + ":" + std::to_string(box.row1) +
                                ", cols " + std::to_string(box.col0) + ":" + std::to_string(box.col1) +
                                " does not fit a " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " image");
  }
  Image out(box.width(), box.height(), image.channels);
  const std::size_t row_bytes = static_cast<std::size_t>(box.width()) * image.channels;
  for (int y = 0; y < box.height(); ++y) {
    std::copy_n(image.at(box.col0, box.row0 + y), row_bytes, out.at(0, y));
  }
  return out;
}

namespace {

std::uint8_t luma(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  return static_cast<std::uint8_t>(std::lround(0.299 * r + 0.587 * g + 0.114 * b));
}

}  // namespace

Image to_gray(const Image& image) {
  Image out(image.width, image.height, 1);
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  const int c = image.channels;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = image.pixels.data() + i * c;
    out.pixels[i] = c >= 3 ? luma(p[0], p[1], p[2]) : p[0];
  }
  return out;
}

Image to_rgb(const Image& image) {
  Image out(image.width, image.height, 3);
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  const int c = image.channels;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = image.pixels.data() + i * c;
    std::uint8_t* q = out.pixels.data() + i * 3;
    if (c >= 3) {
      q[0] = p[0], q[1] = p[1], q[2] = p[2];
    } else {
      q[0] = q[1] = q[2] = p[0];
    }
  }
  return out;
}

std::vector<float> to_planar(const Image& image) {
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  std::vector<float> planes(n * image.channels);
  for (int c = 0; c < image.channels; ++c) {
    for (std::size_t i = 0; i < n; ++i) planes[c * n + i] = image.pixels[i * image.channels + c];
  }
  return planes;
}

namespace {

// The input pixels one output pixel covers along an axis, with their share of its area.
struct AreaSpan {
  int first = 0;
  std::vector<float> weights;
};

std::vector<AreaSpan> area_spans(int in_size, int out_size) {
  std::vector<AreaSpan> spans(out_size);
  const double scale = static_cast<double>(in_size) / out_size;
  for (int j = 0; j < out_size; ++j) {
    const double lo = j * scale, hi = (j + 1) * scale;
    const int first = static_cast<int>(std::floor(lo));
    const int last = std::min(in_size - 1, static_cast<int>(std::ceil(hi)) - 1);
    spans[j].first = first;
    for (int i = first; i <= last; ++i) {
      const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
      spans[j].weights.push_back(static_cast<float>(overlap / scale));
    }
  }
  return spans;
}

}  // namespace

std::vector<float> resize_area(const std::vector<float>& planes, int channels, int height, int width,
                               int out_height, int out_width) {
  if (height <= 0 || width <= 0 || out_height <= 0 || out_width <= 0 ||
      planes.size() != static_cast<std::size_t>(channels) * height * width) {
    throw std::invalid_argument("resize_area: bad sizes");
  }
  const std::vector<AreaSpan> xs = area_spans(width, out_width);
  const std::vector<AreaSpan> ys = area_spans(height, out_height);
  std::vector<float> rows(static_cast<std::size_t>(height) * out_width);
  std::vector<float> out(static_cast<std::size_t>(channels) * out_height * out_width);
  for (int c = 0; c < channels; ++c) {
    const float* in = planes.data() + static_cast<std::size_t>(c) * height * width;
    // Horizontal pass into `rows`, then vertical pass into the output plane.
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < out_width; ++x) {
        const AreaSpan& s = xs[x];
        float sum = 0;
        for (std::size_t k = 0; k < s.weights.size(); ++k) sum += s.weights[k] * in[y * width + s.first + k];
        rows[static_cast<std::size_t>(y) * out_width + x] = sum;
      }
    }
    float* o = out.data() + static_cast<std::size_t>(c) * out_height * out_width;
    for (int y = 0; y < out_height; ++y) {
      const AreaSpan& s = ys[y];
      for (int x = 0; x < out_width; ++x) {
        float sum = 0;
        for (std::size_t k = 0; k < s.weights.size(); ++k) sum += s.weights[k] * rows[(s.first + k) * out_width + x];
        o[y * out_width + x] = sum;
      }
    }
  }
  return out;
}

}  // namespace gg::data

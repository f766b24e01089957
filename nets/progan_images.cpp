#include "nets/progan_images.h"

#include <stdexcept>
#include <string>

#include "data/image_grid.h"
#include "nets/progan_metrics.h"

namespace gg::nets {

std::vector<data::Image> to_pictures(const Tensor& images) {
  const ByteImages bytes = to_byte_images(images);
  if (bytes.channels != 1 && bytes.channels != 3) {
    throw std::invalid_argument("images with " + std::to_string(bytes.channels) +
                                " channels cannot be written as PNG (1: gray, 3: RGB)");
  }
  const std::size_t plane = static_cast<std::size_t>(bytes.height) * bytes.width;
  std::vector<data::Image> out;
  for (int n = 0; n < bytes.count; ++n) {
    data::Image picture(bytes.width, bytes.height, bytes.channels);
    const float* planes = bytes.image(n);
    for (std::size_t p = 0; p < plane; ++p)  // planar (C, H, W) -> interleaved
      for (int c = 0; c < bytes.channels; ++c)
        picture.pixels[p * bytes.channels + c] = static_cast<std::uint8_t>(planes[c * plane + p]);
    out.push_back(std::move(picture));
  }
  return out;
}

namespace {

data::Image enlarge(const data::Image& in, int factor) {
  data::Image out(in.width * factor, in.height * factor, in.channels);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      for (int c = 0; c < in.channels; ++c) out.at(x, y)[c] = in.at(x / factor, y / factor)[c];
  return out;
}

}  // namespace

data::Image picture_grid(const Tensor& images, int columns, int tile_size) {
  std::vector<data::Image> tiles = to_pictures(images);
  const int side = static_cast<int>(images.size(2));
  if (tile_size % side != 0) {
    throw std::invalid_argument("picture_grid: tile size " + std::to_string(tile_size) + " is not a multiple of " +
                                std::to_string(side));
  }
  for (data::Image& t : tiles) t = enlarge(t, tile_size / side);
  return data::tile_images(tiles, columns);
}

}  // namespace gg::nets

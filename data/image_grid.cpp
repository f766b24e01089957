#include "data/image_grid.h"

#include <algorithm>
#include <stdexcept>

namespace gg::data {

Image tile_images(const std::vector<Image>& tiles, int columns, int gap, std::uint8_t background) {
  if (tiles.empty() || columns < 1) throw std::invalid_argument("tile_images: need at least one tile and one column");
  const Image& first = tiles.front();
  for (const Image& t : tiles)
    if (t.width != first.width || t.height != first.height || t.channels != first.channels)
      throw std::invalid_argument("tile_images: tiles differ in size or channels");
  const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
  Image grid(gap + columns * (first.width + gap), gap + rows * (first.height + gap), first.channels);
  std::fill(grid.pixels.begin(), grid.pixels.end(), background);
  const std::size_t row_bytes = static_cast<std::size_t>(first.width) * first.channels;
  for (std::size_t k = 0; k < tiles.size(); ++k) {
    const int x0 = gap + static_cast<int>(k) % columns * (first.width + gap);
    const int y0 = gap + static_cast<int>(k) / columns * (first.height + gap);
    for (int y = 0; y < first.height; ++y) std::copy_n(tiles[k].at(0, y), row_bytes, grid.at(x0, y0 + y));
  }
  return grid;
}

Image sample_image(const Dataset& dataset, std::size_t i) {
  const int c = dataset.channels(), h = dataset.height(), w = dataset.width();
  const std::span<const std::uint8_t> planes = dataset.pixels(i);  // (C, H, W)
  const bool rgb = c == 3;
  Image out(rgb ? w : w * c, h, rgb ? 3 : 1);
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const std::uint8_t v = planes[(static_cast<std::size_t>(ch) * h + y) * w + x];
        if (rgb)
          out.at(x, y)[ch] = v;
        else
          out.at(ch * w + x, y)[0] = v;
      }
  return out;
}

Image contact_sheet(const Dataset& dataset, int per_class, int gap) {
  if (dataset.empty()) throw std::invalid_argument("contact_sheet: the data set is empty");
  if (per_class < 1) throw std::invalid_argument("contact_sheet: per_class must be at least 1");
  const Image blank = [&] {
    Image b = sample_image(dataset, 0);
    std::fill(b.pixels.begin(), b.pixels.end(), std::uint8_t{255});
    return b;
  }();
  std::vector<Image> tiles;
  for (int k = 0; k < dataset.num_classes(); ++k) {
    int taken = 0;
    for (std::size_t i = 0; i < dataset.size() && taken < per_class; ++i)
      if (dataset.label(i) == k) {
        tiles.push_back(sample_image(dataset, i));
        ++taken;
      }
    for (; taken < per_class; ++taken) tiles.push_back(blank);  // classes with fewer samples
  }
  return tile_images(tiles, per_class, gap);
}

}  // namespace gg::data

#include "report/labelled_sheet.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "report/canvas.h"

namespace gg::report {
namespace {

constexpr int kOuter = 4, kMargin = 6, kFrame = 3, kCaptionGap = 3;
constexpr Colour kInk{0.15, 0.15, 0.15}, kHighlight{0.86, 0.08, 0.08};

int line_height() {
  const Canvas measure(1, 1);
  measure.set_font(FontSize::small);
  return static_cast<int>(std::ceil(measure.ascent() + measure.descent() + 3));
}

// Nearest-neighbour scaling of an RGB image into the w x h box at (x0, y0) of `sheet`.
void blit_scaled(const data::Image& rgb, data::Image& sheet, int x0, int y0, int w, int h) {
  for (int y = 0; y < h; ++y) {
    const int sy = std::min(rgb.height - 1, static_cast<int>((y + 0.5) * rgb.height / h));
    for (int x = 0; x < w; ++x) {
      const int sx = std::min(rgb.width - 1, static_cast<int>((x + 0.5) * rgb.width / w));
      std::copy_n(rgb.at(sx, sy), 3, sheet.at(x0 + x, y0 + y));
    }
  }
}

}  // namespace

int SheetLayout::image_x(std::size_t i) const {
  return kOuter + static_cast<int>(i % columns) * cell_width + margin;
}

int SheetLayout::image_y(std::size_t i) const {
  return kOuter + static_cast<int>(i / columns) * cell_height + margin;
}

SheetLayout labelled_sheet_layout(const std::vector<LabelledTile>& tiles, int columns, int tile_size) {
  if (tiles.empty()) throw std::invalid_argument("labelled_sheet: no tiles");
  if (columns < 1) throw std::invalid_argument("labelled_sheet: columns must be at least 1, not " + std::to_string(columns));
  if (tile_size < 8) throw std::invalid_argument("labelled_sheet: tile size must be at least 8, not " + std::to_string(tile_size));
  std::size_t lines = 0;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const data::Image& image = tiles[i].image;
    if (image.width < 1 || image.height < 1 || image.channels < 1 || image.channels > 4 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
      throw std::invalid_argument("labelled_sheet: tile " + std::to_string(i) + " has an empty or malformed image");
    lines = std::max(lines, tiles[i].caption.size());
  }
  SheetLayout l;
  l.columns = std::min(columns, static_cast<int>(tiles.size()));
  l.tile_size = tile_size;
  l.margin = kMargin;
  l.cell_width = tile_size + 2 * kMargin;
  l.cell_height = tile_size + 2 * kMargin + (lines ? kCaptionGap + static_cast<int>(lines) * line_height() : 0);
  const auto rows = static_cast<int>((tiles.size() + l.columns - 1) / l.columns);
  l.width = 2 * kOuter + l.columns * l.cell_width;
  l.height = 2 * kOuter + rows * l.cell_height;
  return l;
}

data::Image labelled_sheet(const std::vector<LabelledTile>& tiles, int columns, int tile_size) {
  const SheetLayout l = labelled_sheet_layout(tiles, columns, tile_size);
  const int line = line_height();
  data::Image sheet;
  {
    // Captions and frames first; the images are copied in afterwards, pixel for pixel.
    const Canvas canvas(l.width, l.height);
    canvas.set_font(FontSize::small);
    for (std::size_t i = 0; i < tiles.size(); ++i) {
      const int x = l.image_x(i), y = l.image_y(i);
      if (tiles[i].highlight) {
        canvas.set_colour(kHighlight);
        cairo_set_line_width(canvas.cr(), kFrame);
        cairo_rectangle(canvas.cr(), x - kFrame / 2.0, y - kFrame / 2.0, tile_size + kFrame, tile_size + kFrame);
        cairo_stroke(canvas.cr());
      }
      canvas.set_colour(kInk);
      for (std::size_t k = 0; k < tiles[i].caption.size(); ++k)
        canvas.text(canvas.fit(tiles[i].caption[k], tile_size), x, y + tile_size + kMargin + kCaptionGap + k * line,
                    Align::start, Align::start);
    }
    sheet = canvas.to_image();
  }
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const data::Image& image = tiles[i].image;
    // Keep the aspect ratio: the longer side fills the tile, the image centred in it on white.
    const double scale = static_cast<double>(tile_size) / std::max(image.width, image.height);
    const int w = std::max(1, static_cast<int>(std::lround(image.width * scale)));
    const int h = std::max(1, static_cast<int>(std::lround(image.height * scale)));
    const data::Image rgb = image.channels == 3 ? image : data::to_rgb(image);
    const int x = l.image_x(i) + (tile_size - w) / 2, y = l.image_y(i) + (tile_size - h) / 2;
    blit_scaled(rgb, sheet, x, y, w, h);
  }
  return sheet;
}

}  // namespace gg::report

#pragma once
// Contact sheets with captions: images in a grid, a few lines of text under each, red frames on
// the ones to look at (e.g. misclassified samples).
#include <string>
#include <vector>

#include "data/image.h"

namespace gg::report {

struct LabelledTile {
  data::Image image;                 // any size; scaled (nearest) to the tile size
  std::vector<std::string> caption;  // lines under the image, e.g. {"label: Blip", "pred: Whistle 0.97"}
  bool highlight = false;            // red frame
};

// Tiles row by row, `columns` per row, every image scaled to tile_size x tile_size. Throws
// std::invalid_argument on no tiles, columns < 1, tile_size < 8 or an empty image.
data::Image labelled_sheet(const std::vector<LabelledTile>& tiles, int columns, int tile_size = 128);

// Where labelled_sheet puts tile i's image: x in [image_x(i), image_x(i) + tile_size), likewise y.
struct SheetLayout {
  int width = 0, height = 0;    // image size
  int columns = 1, tile_size = 0;
  int cell_width = 0, cell_height = 0;  // one tile with its caption and padding
  int margin = 0;                       // around the image inside a cell
  int image_x(std::size_t i) const;
  int image_y(std::size_t i) const;
};
SheetLayout labelled_sheet_layout(const std::vector<LabelledTile>& tiles, int columns, int tile_size = 128);

}  // namespace gg::report

// Labelled contact sheets: geometry from the layout, images scaled by nearest neighbour with their
// aspect ratio kept, red frames, captions, bad input.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "report/labelled_sheet.h"

using namespace gg::report;
using gg::data::Image;

namespace {

Image solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Image image(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      image.at(x, y)[0] = r;
      image.at(x, y)[1] = g;
      image.at(x, y)[2] = b;
    }
  return image;
}

bool is(const Image& image, int x, int y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  const std::uint8_t* p = image.at(x, y);
  return p[0] == r && p[1] == g && p[2] == b;
}

}  // namespace

TEST_CASE("report: a labelled sheet places scaled images, captions and frames where its layout says") {
  // 2x2 gray checkerboard: scaled to 64, each quadrant one value.
  Image checker(2, 2, 1);
  checker.pixels = {0, 200, 200, 0};
  std::vector<LabelledTile> tiles = {
      {solid(10, 10, 200, 30, 30), {"label: Blip", "pred: Blip 0.99"}, false},
      {checker, {"label: Whistle"}, true},
      {solid(3, 3, 20, 90, 200), {}, false},
      {solid(40, 20, 10, 160, 60), {"wide"}, false},
  };
  const SheetLayout l = labelled_sheet_layout(tiles, 3, 64);
  const Image sheet = labelled_sheet(tiles, 3, 64);
  CHECK(sheet.width == l.width);
  CHECK(sheet.height == l.height);
  CHECK(sheet.channels == 3);
  CHECK(l.columns == 3);
  CHECK(l.height >= 2 * (64 + 2 * l.margin));
  CHECK(l.image_x(3) == l.image_x(0));
  CHECK(l.image_y(3) == l.image_y(0) + l.cell_height);

  CHECK(is(sheet, l.image_x(0), l.image_y(0), 200, 30, 30));
  CHECK(is(sheet, l.image_x(0) + 63, l.image_y(0) + 63, 200, 30, 30));
  // Nearest-neighbour quadrants of the checkerboard, gray turned RGB.
  CHECK(is(sheet, l.image_x(1) + 5, l.image_y(1) + 5, 0, 0, 0));
  CHECK(is(sheet, l.image_x(1) + 40, l.image_y(1) + 5, 200, 200, 200));
  CHECK(is(sheet, l.image_x(1) + 5, l.image_y(1) + 40, 200, 200, 200));
  CHECK(is(sheet, l.image_x(1) + 63, l.image_y(1) + 63, 0, 0, 0));
  // The highlighted tile has a red frame just outside its image; the others do not.
  const std::uint8_t* frame = sheet.at(l.image_x(1) - 2, l.image_y(1) + 30);
  CHECK(frame[0] > 180);
  CHECK(frame[1] < 60);
  CHECK(is(sheet, l.image_x(0) - 2, l.image_y(0) + 30, 255, 255, 255));
  // A 2:1 image keeps its shape: 64x32, centred, white above and below.
  CHECK(is(sheet, l.image_x(3) + 30, l.image_y(3) + 32, 10, 160, 60));
  CHECK(is(sheet, l.image_x(3) + 30, l.image_y(3) + 8, 255, 255, 255));
  CHECK(is(sheet, l.image_x(3) + 30, l.image_y(3) + 56, 255, 255, 255));
  // Captions: dark pixels under tile 0, none under the captionless tile 2.
  const auto dark_below = [&](std::size_t i) {
    int n = 0;
    for (int y = l.image_y(i) + 64 + 2; y < l.image_y(i) - l.margin + l.cell_height; ++y)
      for (int x = l.image_x(i); x < l.image_x(i) + 64; ++x) n += sheet.at(x, y)[0] < 100;
    return n;
  };
  CHECK(dark_below(0) > 30);
  CHECK(dark_below(2) == 0);
}

TEST_CASE("report: a labelled sheet rejects no tiles, bad columns or tile sizes and empty images") {
  const std::vector<LabelledTile> one = {{solid(4, 4, 1, 2, 3), {"x"}, false}};
  CHECK_THROWS_AS(labelled_sheet({}, 3), std::invalid_argument);
  CHECK_THROWS_AS(labelled_sheet(one, 0), std::invalid_argument);
  CHECK_THROWS_AS(labelled_sheet(one, 1, 4), std::invalid_argument);
  CHECK_THROWS_AS(labelled_sheet({{Image(), {}, false}}, 1), std::invalid_argument);
  // Fewer tiles than columns: the sheet is only as wide as the tiles.
  CHECK(labelled_sheet(one, 5, 32).width == labelled_sheet_layout(one, 1, 32).width);
}

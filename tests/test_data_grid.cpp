// Image grids: tiling geometry and the contact sheet of a data set.
#include <doctest/doctest.h>

#include "data/image_grid.h"

using namespace gg::data;

namespace {

Image filled(int w, int h, int c, std::uint8_t v) {
  Image img(w, h, c);
  std::fill(img.pixels.begin(), img.pixels.end(), v);
  return img;
}

}  // namespace

TEST_CASE("data: tile_images places tiles row by row with gaps") {
  const Image grid = tile_images({filled(3, 2, 1, 10), filled(3, 2, 1, 20), filled(3, 2, 1, 30)}, 2, 1, 255);
  CHECK(grid.width == 1 + 2 * (3 + 1));
  CHECK(grid.height == 1 + 2 * (2 + 1));
  CHECK(grid.at(0, 0)[0] == 255);  // gap
  CHECK(grid.at(1, 1)[0] == 10);   // first tile
  CHECK(grid.at(5, 1)[0] == 20);   // second tile, same row
  CHECK(grid.at(1, 4)[0] == 30);   // third tile, next row
  CHECK(grid.at(5, 4)[0] == 255);  // empty slot
  CHECK_THROWS_AS(tile_images({filled(3, 2, 1, 0), filled(2, 2, 1, 0)}, 2), std::invalid_argument);
}

TEST_CASE("data: a contact sheet has one row per class and blanks for short classes") {
  // Two classes of 2x2 gray samples: class 0 has three samples, class 1 one.
  std::vector<std::uint8_t> pixels = {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 9, 9, 9, 9};
  const Dataset ds({"a", "b"}, 1, 2, 2, std::move(pixels), {0, 0, 0, 1}, std::vector<SampleInfo>(4));
  const Image sheet = contact_sheet(ds, 2, 1);
  CHECK(sheet.width == 1 + 2 * 3);
  CHECK(sheet.height == 1 + 2 * 3);
  CHECK(sheet.at(1, 1)[0] == 1);
  CHECK(sheet.at(4, 1)[0] == 2);    // only the first two of class 0
  CHECK(sheet.at(1, 4)[0] == 9);
  CHECK(sheet.at(4, 4)[0] == 255);  // class 1 has one sample: a blank tile
  // Stacked windows show side by side.
  std::vector<std::uint8_t> two = {5, 5, 5, 5, 7, 7, 7, 7};
  const Dataset stacked({"a"}, 2, 2, 2, std::move(two), {0}, std::vector<SampleInfo>(1));
  const Image img = sample_image(stacked, 0);
  CHECK(img.width == 4);
  CHECK(img.at(0, 0)[0] == 5);
  CHECK(img.at(3, 1)[0] == 7);
}

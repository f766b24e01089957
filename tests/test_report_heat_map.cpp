// Heat maps: size from the layout, cell colours monotone in the value (by row share or over the
// matrix), numbers written in the cells, bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/heat_map.h"

using namespace gg::report;
using gg::data::Image;

namespace {

double luminance(const std::uint8_t* p) { return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]; }

// A pixel of cell (row, column) away from its centred number.
const std::uint8_t* cell_pixel(const Image& image, const HeatMapLayout& l, int row, int column) {
  return image.at(l.left + column * l.cell + l.cell / 6, l.top + row * l.cell + l.cell / 6);
}

bool same_colour(const std::uint8_t* p, Colour c) {
  return std::abs(p[0] - c.r * 255) <= 1.01 && std::abs(p[1] - c.g * 255) <= 1.01 && std::abs(p[2] - c.b * 255) <= 1.01;
}

}  // namespace

TEST_CASE("report: the heat colour darkens strictly with the value and clamps outside 0..1") {
  double previous = 2;
  for (int i = 0; i <= 100; ++i) {
    const Colour c = heat_colour(i / 100.0);
    const double y = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    CHECK(y < previous);
    previous = y;
  }
  CHECK(heat_colour(-3).g == heat_colour(0).g);
  CHECK(heat_colour(7).g == heat_colour(1).g);
}

TEST_CASE("report: heat map cells get darker as the value grows") {
  const std::vector<std::vector<double>> values = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}};
  const std::vector<std::string> columns = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"};
  const HeatMapLayout l = heat_map_layout(values, {"row"}, columns, "values", false);
  const Image image = heat_map(values, {"row"}, columns, "values", false);
  CHECK(image.width == l.width);
  CHECK(image.height == l.height);
  for (int c = 0; c < 10; ++c) CHECK(same_colour(cell_pixel(image, l, 0, c), heat_colour(c / 9.0)));
  for (int c = 1; c < 10; ++c) CHECK(luminance(cell_pixel(image, l, 0, c)) < luminance(cell_pixel(image, l, 0, c - 1)));
}

TEST_CASE("report: a row-normalized heat map colours by row share and writes the counts") {
  // Row shares: 0.25 0.75 / 0.75 0.25, whatever the row totals.
  const std::vector<std::vector<double>> counts = {{1, 3}, {300, 100}};
  const std::vector<std::string> labels = {"Blip", "Low_Frequency_Burst"};
  const HeatMapLayout l = heat_map_layout(counts, labels, labels, "Confusion matrix");
  const Image image = heat_map(counts, labels, labels, "Confusion matrix");
  REQUIRE(image.width == l.width);
  REQUIRE(image.height == l.height);
  CHECK(same_colour(cell_pixel(image, l, 0, 0), heat_colour(0.25)));
  CHECK(same_colour(cell_pixel(image, l, 0, 1), heat_colour(0.75)));
  CHECK(same_colour(cell_pixel(image, l, 1, 0), heat_colour(0.75)));
  CHECK(same_colour(cell_pixel(image, l, 1, 1), heat_colour(0.25)));
  // Each cell has its number: pixels near the centre that are not the cell colour.
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) {
      const std::uint8_t* background = cell_pixel(image, l, r, c);
      int text = 0;
      for (int dy = -l.cell / 4; dy <= l.cell / 4; ++dy)
        for (int dx = -l.cell / 4; dx <= l.cell / 4; ++dx) {
          const std::uint8_t* p = image.at(l.left + c * l.cell + l.cell / 2 + dx, l.top + r * l.cell + l.cell / 2 + dy);
          text += std::abs(luminance(p) - luminance(background)) > 60;
        }
      CHECK(text > 5);
    }
  // The labels and colour scale are drawn outside the matrix: the left strip is not blank.
  int ink = 0;
  for (int y = l.top; y < l.top + 2 * l.cell; ++y)
    for (int x = 0; x < l.left; ++x) ink += luminance(image.at(x, y)) < 128;
  CHECK(ink > 20);
}

TEST_CASE("report: a heat map rejects labels that do not match the matrix") {
  CHECK_THROWS_AS(heat_map({}, {}, {}, "t"), std::invalid_argument);
  CHECK_THROWS_AS(heat_map({{1, 2}}, {"a", "b"}, {"x", "y"}, "t"), std::invalid_argument);
  CHECK_THROWS_AS(heat_map({{1, 2}}, {"a"}, {"x"}, "t"), std::invalid_argument);
  CHECK_THROWS_AS(heat_map({{1, 2}, {3}}, {"a", "b"}, {"x", "y"}, "t"), std::invalid_argument);
}

// Line charts: nice ticks, the axis mapping they expose, points and error bars drawn where that
// mapping puts them, the legend beside the plot, and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "report/chart.h"
#include "report/ticks.h"

using namespace gg::report;
using gg::data::Image;

namespace {

// Pixel (x, y) has colour c to within one level per channel.
bool has_colour(const Image& image, double x, double y, Colour c) {
  const std::uint8_t* p = image.at(static_cast<int>(std::floor(x)), static_cast<int>(std::floor(y)));
  return std::abs(p[0] - c.r * 255) <= 1.01 && std::abs(p[1] - c.g * 255) <= 1.01 && std::abs(p[2] - c.b * 255) <= 1.01;
}

std::size_t non_white(const Image& image) {
  std::size_t n = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) n += image.at(x, y)[0] != 255 || image.at(x, y)[1] != 255 || image.at(x, y)[2] != 255;
  return n;
}

std::vector<Series> two_series() {
  return {{"train", {0, 1, 2, 3, 4}, {2.0, 1.2, 0.8, 0.6, 0.5}, {}},
          {"test", {0, 1, 2, 3, 4}, {2.2, 1.6, 1.3, 1.25, 1.3}, {}}};
}

}  // namespace

TEST_CASE("report: tick values are multiples of 1, 2 or 5 and log ticks fall on decades or 1-2-5") {
  const std::vector<double> unit = linear_ticks(0, 1, 5);
  REQUIRE(unit.size() == 6);
  for (std::size_t i = 0; i < unit.size(); ++i) CHECK(unit[i] == doctest::Approx(0.2 * i));
  CHECK(tick_label(unit[3], unit[1] - unit[0]) == "0.6");
  CHECK(linear_ticks(-8.3, 5.7, 6) == std::vector<double>{-8, -6, -4, -2, 0, 2, 4});
  CHECK(tick_label(-0.0, 1) == "0");
  CHECK(tick_label(250, 50) == "250");
  // A narrow range still gets two ticks.
  CHECK(linear_ticks(0.951, 0.953, 2).size() >= 2);
  CHECK(log_ticks(4.5, 55, 6) == std::vector<double>{5, 10, 20, 50});
  CHECK(log_ticks(0.9, 1.1e3, 6) == std::vector<double>{1, 10, 100, 1000});
  const std::vector<double> wide = log_ticks(1, 1e12, 5);
  CHECK(wide.size() <= 5);
  CHECK(wide.front() == 1);
  CHECK(tick_label(1e5, 0) == "100000");
}

TEST_CASE("report: a line chart has the requested size and draws every point where chart_axes maps it") {
  ChartOptions options;
  options.title = "Loss";
  options.x_label = "epoch";
  options.y_label = "cross-entropy";
  options.width = 640;
  options.height = 400;
  const std::vector<Series> series = two_series();
  const Image chart = line_chart(series, options);
  CHECK(chart.width == 640);
  CHECK(chart.height == 400);
  CHECK(chart.channels == 3);
  CHECK(non_white(chart) > 640 * 400 / 50);

  const ChartAxes axes = chart_axes(series, options);
  CHECK(axes.pixel_x(axes.x_min) == doctest::Approx(axes.left));
  CHECK(axes.pixel_x(axes.x_max) == doctest::Approx(axes.right));
  CHECK(axes.pixel_y(axes.y_min) == doctest::Approx(axes.bottom));
  CHECK(axes.pixel_y(axes.y_max) == doctest::Approx(axes.top));
  // Every point inside the range shown, with a margin around the data.
  CHECK(axes.y_min < 0.5);
  CHECK(axes.y_max > 2.2);
  for (double t : axes.y_ticks) CHECK((t >= axes.y_min && t <= axes.y_max));
  for (std::size_t i = 0; i < series.size(); ++i)
    for (std::size_t k = 0; k < series[i].x.size(); ++k)
      CHECK(has_colour(chart, axes.pixel_x(series[i].x[k]), axes.pixel_y(series[i].y[k]), series_colour(i)));
  // Same input, same pixels.
  CHECK(line_chart(series, options).pixels == chart.pixels);
}

TEST_CASE("report: a log x axis spaces decades evenly and a given y range is kept") {
  ChartOptions options;
  options.log_x = true;
  options.y_min = 0;
  options.y_max = 1;
  const std::vector<Series> series = {{"", {1, 10, 100}, {0.2, 0.5, 0.9}, {}}};
  const ChartAxes axes = chart_axes(series, options);
  CHECK(axes.pixel_x(10) - axes.pixel_x(1) == doctest::Approx(axes.pixel_x(100) - axes.pixel_x(10)));
  CHECK(axes.y_min == 0);
  CHECK(axes.y_max == 1);
  CHECK(axes.x_ticks == std::vector<double>{1, 10, 100});
  const Image chart = line_chart(series, options);
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(has_colour(chart, axes.pixel_x(series[0].x[k]), axes.pixel_y(series[0].y[k]), series_colour(0)));
  CHECK_THROWS_AS(line_chart({{"", {0, 1}, {1, 2}, {}}}, options), std::invalid_argument);
}

TEST_CASE("report: error bars reach y +- error with caps") {
  // A flat line, so the bars stand clear of it.
  const std::vector<Series> series = {{"", {0, 1}, {1, 1}, {0.5, 0.25}}};
  ChartOptions options;
  const ChartAxes axes = chart_axes(series, options);
  CHECK(axes.y_min < 0.5);
  CHECK(axes.y_max > 1.5);
  const Image chart = line_chart(series, options);
  const Colour c = series_colour(0);
  for (int k = 0; k < 2; ++k) {
    const double x = std::round(axes.pixel_x(k)), e = series[0].error[k];
    // The bar halfway up, both caps off the bar's axis, and no bar beyond the cap.
    CHECK(has_colour(chart, x, axes.pixel_y(1 + e / 2), c));
    CHECK(has_colour(chart, x + 3, std::round(axes.pixel_y(1 + e)), c));
    CHECK(has_colour(chart, x - 4, std::round(axes.pixel_y(1 - e)), c));
    CHECK_FALSE(has_colour(chart, x, std::round(axes.pixel_y(1 + e)) - 4, c));
  }
}

TEST_CASE("report: the legend sits beside the plot area, not on it") {
  ChartOptions options;
  std::vector<Series> labelled = two_series(), unlabelled = two_series();
  for (Series& s : unlabelled) s.label.clear();
  const ChartAxes with = chart_axes(labelled, options), without = chart_axes(unlabelled, options);
  CHECK(with.right < without.right - 40);
  // The legend's swatches are right of the plot area; without labels there is nothing there.
  const auto coloured_right_of_plot = [&](const Image& chart, double right) {
    int n = 0;
    for (int y = 0; y < chart.height; ++y)
      for (int x = static_cast<int>(right) + 2; x < chart.width; ++x) n += has_colour(chart, x, y, series_colour(1));
    return n;
  };
  CHECK(coloured_right_of_plot(line_chart(labelled, options), with.right) > 10);
  CHECK(coloured_right_of_plot(line_chart(unlabelled, options), without.right) == 0);
}

TEST_CASE("report: a line chart rejects mismatched series, no data and sizes too small to draw in") {
  ChartOptions options;
  CHECK_THROWS_AS(line_chart({{"a", {1, 2}, {1}, {}}}, options), std::invalid_argument);
  CHECK_THROWS_AS(line_chart({{"a", {1, 2}, {1, 2}, {0.1}}}, options), std::invalid_argument);
  CHECK_THROWS_AS(line_chart({{"a", {1, 2}, {1, 2}, {0.1, -0.1}}}, options), std::invalid_argument);
  CHECK_THROWS_AS(line_chart({{"a", {NAN}, {1}, {}}}, options), std::invalid_argument);
  CHECK_THROWS_AS(line_chart({}, options), std::invalid_argument);
  options.width = 60;
  CHECK_THROWS_AS(line_chart(two_series(), options), std::invalid_argument);
  options.width = 800;
  options.y_min = 2;
  options.y_max = 1;
  CHECK_THROWS_AS(line_chart(two_series(), options), std::invalid_argument);
  // A NaN in the middle breaks the line but the rest is drawn.
  ChartOptions plain;
  const std::vector<Series> gap = {{"", {0, 1, 2}, {1, NAN, 3}, {}}};
  const ChartAxes axes = chart_axes(gap, plain);
  const Image chart = line_chart(gap, plain);
  CHECK(has_colour(chart, axes.pixel_x(2), axes.pixel_y(3), series_colour(0)));
  // Where the line from (0, 1) to (2, 3) would pass (off the grid lines).
  CHECK(has_colour(chart, axes.pixel_x(0.7), axes.pixel_y(1.7), {1, 1, 1}));
}

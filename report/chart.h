#pragma once
// Line charts for reports: markers joined by lines, optional error bars with caps, a legend outside
// the plot area, and axes with "nice" tick values (1, 2, 5 x 10^k; decades on a log axis).
#include <optional>
#include <string>
#include <vector>

#include "data/image.h"
#include "report/colour.h"

namespace gg::report {

struct Series {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> error;  // empty: no error bars; else +-error[i] around y[i]
};

struct ChartOptions {
  std::string title, x_label, y_label;
  int width = 800, height = 500;
  bool log_x = false;                     // e.g. training-set sizes 5, 10, 25, 50
  std::optional<double> y_min, y_max;     // unset: from the data, with a margin
};

// A line chart (markers + lines, optional error bars, legend, axes with ticks) as an RGB image.
// Series of more than 60 points (training logs) are drawn as lines without markers.
// Throws std::invalid_argument on mismatched x/y/error lengths, non-positive x on a log axis, a
// size too small to draw in, or no finite point at all.
data::Image line_chart(const std::vector<Series>& series, const ChartOptions& options);

// Where line_chart puts things: the plot area in pixels and the data range it shows, so a caller
// (or a test) can find the pixel of a data point.
struct ChartAxes {
  double left = 0, top = 0, right = 0, bottom = 0;   // plot area, pixels
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;  // data range shown (x in data units also on a log axis)
  bool log_x = false;
  std::vector<double> x_ticks, y_ticks;               // tick values, data units

  double pixel_x(double x) const;
  double pixel_y(double y) const;
};
ChartAxes chart_axes(const std::vector<Series>& series, const ChartOptions& options);

// The colour of series i in line_chart (a colour-blind-safe palette, repeating after 8).
Colour series_colour(std::size_t i);

}  // namespace gg::report

#include "report/chart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "report/canvas.h"
#include "report/ticks.h"

namespace gg::report {
namespace {

constexpr double kPad = 12, kTickLength = 5, kTickGap = 4;
constexpr double kLegendGap = 16, kSwatch = 26;
constexpr std::size_t kMarkerLimit = 60;
constexpr Colour kInk{0.15, 0.15, 0.15}, kGrid{0.89, 0.89, 0.89};

bool finite(double v) { return std::isfinite(v); }

void validate(const std::vector<Series>& series, const ChartOptions& options) {
  for (const Series& s : series) {
    const std::string name = "line_chart: series \"" + s.label + "\"";
    if (s.x.size() != s.y.size())
      throw std::invalid_argument(name + " has " + std::to_string(s.x.size()) + " x values but " +
                                  std::to_string(s.y.size()) + " y values");
    if (!s.error.empty() && s.error.size() != s.y.size())
      throw std::invalid_argument(name + " has " + std::to_string(s.error.size()) + " error values for " +
                                  std::to_string(s.y.size()) + " points");
    for (double e : s.error)
      if (e < 0) throw std::invalid_argument(name + " has a negative error bar");
    if (options.log_x)
      for (double x : s.x)
        if (finite(x) && x <= 0) throw std::invalid_argument(name + " has x = " + std::to_string(x) + " on a log axis");
  }
  if (options.y_min && options.y_max && !(*options.y_min < *options.y_max))
    throw std::invalid_argument("line_chart: y_min must be below y_max");
}

// The range [lo, hi] of the finite values, widened by `margin` of its span (a flat range by a
// fraction of its magnitude, or 1 around zero).
std::pair<double, double> padded_range(double lo, double hi, double margin) {
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    return {lo - pad, hi + pad};
  }
  return {lo - (hi - lo) * margin, hi + (hi - lo) * margin};
}

double x_position(double x, bool log_x) { return log_x ? std::log10(x) : x; }

bool has_legend(const std::vector<Series>& series) {
  return std::any_of(series.begin(), series.end(), [](const Series& s) { return !s.label.empty(); });
}

double legend_width(const Canvas& canvas, const std::vector<Series>& series) {
  canvas.set_font(FontSize::tick);
  double widest = 0;
  for (const Series& s : series) widest = std::max(widest, canvas.text_width(s.label));
  return kSwatch + 8 + widest;
}

std::vector<std::string> labels(const std::vector<double>& ticks, bool log) {
  const double step = log || ticks.size() < 2 ? 0 : ticks[1] - ticks[0];
  std::vector<std::string> out;
  for (double t : ticks) out.push_back(tick_label(t, step));
  return out;
}

// Series i's marker: circle, square, triangle or diamond; shifted by one every 8 series, so the
// series that share a colour have different markers.
void marker_path(cairo_t* cr, std::size_t i, double x, double y) {
  constexpr double r = 4.2;
  switch ((i + i / 8) % 4) {
    case 0:
      cairo_new_sub_path(cr);
      cairo_arc(cr, x, y, r, 0, 2 * std::numbers::pi);
      break;
    case 1:
      cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
      break;
    case 2:
      cairo_move_to(cr, x, y - 1.2 * r);
      cairo_line_to(cr, x + 1.1 * r, y + 0.75 * r);
      cairo_line_to(cr, x - 1.1 * r, y + 0.75 * r);
      cairo_close_path(cr);
      break;
    default:
      cairo_move_to(cr, x, y - 1.25 * r);
      cairo_line_to(cr, x + 1.25 * r, y);
      cairo_line_to(cr, x, y + 1.25 * r);
      cairo_line_to(cr, x - 1.25 * r, y);
      cairo_close_path(cr);
  }
}

void draw_marker(const Canvas& canvas, std::size_t i, double x, double y) {
  cairo_t* cr = canvas.cr();
  marker_path(cr, i, x, y);
  canvas.set_colour(series_colour(i));
  cairo_fill_preserve(cr);
  // A thin white rim keeps overlapping markers apart.
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
}

// Error bars with caps, 2 pixels wide on whole pixels so they stay sharp.
void draw_error_bars(const Canvas& canvas, const ChartAxes& axes, const Series& s, std::size_t i) {
  cairo_t* cr = canvas.cr();
  canvas.set_colour(series_colour(i));
  cairo_set_line_width(cr, 2);
  for (std::size_t k = 0; k < s.error.size(); ++k) {
    if (!finite(s.x[k]) || !finite(s.y[k]) || !finite(s.error[k]) || s.error[k] == 0) continue;
    const double px = std::round(axes.pixel_x(s.x[k])), lo = std::round(axes.pixel_y(s.y[k] - s.error[k])),
                 hi = std::round(axes.pixel_y(s.y[k] + s.error[k]));
    cairo_move_to(cr, px, lo);
    cairo_line_to(cr, px, hi);
    for (double py : {lo, hi}) {
      cairo_move_to(cr, px - 5, py);
      cairo_line_to(cr, px + 5, py);
    }
  }
  cairo_stroke(cr);
}

// The line through the points, broken at non-finite ones.
void draw_line(const Canvas& canvas, const ChartAxes& axes, const Series& s, std::size_t i) {
  cairo_t* cr = canvas.cr();
  canvas.set_colour(series_colour(i));
  cairo_set_line_width(cr, 2);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  bool drawing = false;
  for (std::size_t k = 0; k < s.x.size(); ++k) {
    if (!finite(s.x[k]) || !finite(s.y[k])) {
      drawing = false;
      continue;
    }
    const double px = axes.pixel_x(s.x[k]), py = axes.pixel_y(s.y[k]);
    if (drawing) cairo_line_to(cr, px, py);
    else cairo_move_to(cr, px, py);
    drawing = true;
  }
  cairo_stroke(cr);
}

// Markers only where they can be told apart: a dense series (a training log) is a line alone.
bool has_markers(const Series& s) { return s.x.size() <= kMarkerLimit; }

void draw_markers(const Canvas& canvas, const ChartAxes& axes, const Series& s, std::size_t i) {
  if (!has_markers(s)) return;
  for (std::size_t k = 0; k < s.x.size(); ++k)
    if (finite(s.x[k]) && finite(s.y[k])) draw_marker(canvas, i, axes.pixel_x(s.x[k]), axes.pixel_y(s.y[k]));
}

void draw_axes(const Canvas& canvas, const ChartAxes& axes) {
  const double left = axes.left, right = axes.right, top = axes.top, bottom = axes.bottom;
  canvas.set_font(FontSize::tick);
  const std::vector<std::string> x_labels = labels(axes.x_ticks, axes.log_x), y_labels = labels(axes.y_ticks, false);
  for (std::size_t i = 0; i < axes.x_ticks.size(); ++i) {
    const double px = std::floor(axes.pixel_x(axes.x_ticks[i]));
    canvas.vline(px, top, bottom, kGrid);
    canvas.vline(px, bottom, bottom + kTickLength, kInk);
    canvas.set_colour(kInk);
    canvas.text(x_labels[i], px + 0.5, bottom + kTickLength + kTickGap, Align::centre, Align::start);
  }
  for (std::size_t i = 0; i < axes.y_ticks.size(); ++i) {
    const double py = std::floor(axes.pixel_y(axes.y_ticks[i]));
    canvas.hline(left, right, py, kGrid);
    canvas.hline(left - kTickLength, left, py, kInk);
    canvas.set_colour(kInk);
    canvas.text(y_labels[i], left - kTickLength - kTickGap, py + 0.5, Align::end, Align::centre);
  }
}

void draw_frame(const Canvas& canvas, const ChartAxes& axes) {
  canvas.hline(axes.left, axes.right + 1, axes.top, kInk);
  canvas.hline(axes.left, axes.right + 1, axes.bottom, kInk);
  canvas.vline(axes.left, axes.top, axes.bottom + 1, kInk);
  canvas.vline(axes.right, axes.top, axes.bottom + 1, kInk);
}

void draw_legend(const Canvas& canvas, const ChartAxes& axes, const std::vector<Series>& series) {
  canvas.set_font(FontSize::tick);
  const double x = axes.right + kLegendGap, row = std::ceil(FontSize::tick * 1.7);
  double y = axes.top + row / 2;
  cairo_t* cr = canvas.cr();
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (series[i].label.empty()) continue;
    canvas.set_colour(series_colour(i));
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + kSwatch, y);
    cairo_stroke(cr);
    if (has_markers(series[i])) draw_marker(canvas, i, x + kSwatch / 2, y);
    canvas.set_colour(kInk);
    canvas.text(series[i].label, x + kSwatch + 8, y, Align::start, Align::centre);
    y += row;
  }
}

void draw_labels(const Canvas& canvas, const ChartAxes& axes, const ChartOptions& options) {
  canvas.set_colour(kInk);
  if (!options.title.empty()) {
    canvas.set_font(FontSize::title, true);
    canvas.text(options.title, (axes.left + axes.right) / 2, kPad, Align::centre, Align::start);
  }
  canvas.set_font(FontSize::label);
  if (!options.x_label.empty())
    canvas.text(options.x_label, (axes.left + axes.right) / 2, canvas.height() - kPad, Align::centre, Align::end);
  if (!options.y_label.empty())
    canvas.text(options.y_label, kPad, (axes.top + axes.bottom) / 2, Align::centre, Align::start, -std::numbers::pi / 2);
}

}  // namespace

Colour series_colour(std::size_t i) {
  // Okabe & Ito's colour-blind-safe palette, its yellow swapped for a dark wine red that reads
  // on white.
  static constexpr Colour kPalette[] = {
      {0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0}, {0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0},
      {0x00 / 255.0, 0x9E / 255.0, 0x73 / 255.0}, {0xCC / 255.0, 0x79 / 255.0, 0xA7 / 255.0},
      {0xE6 / 255.0, 0x9F / 255.0, 0x00 / 255.0}, {0x56 / 255.0, 0xB4 / 255.0, 0xE9 / 255.0},
      {0x88 / 255.0, 0x22 / 255.0, 0x55 / 255.0}, {0x33 / 255.0, 0x33 / 255.0, 0x33 / 255.0},
  };
  return kPalette[i % std::size(kPalette)];
}

double ChartAxes::pixel_x(double x) const {
  const double lo = x_position(x_min, log_x), hi = x_position(x_max, log_x);
  return left + (x_position(x, log_x) - lo) / (hi - lo) * (right - left);
}

double ChartAxes::pixel_y(double y) const { return bottom - (y - y_min) / (y_max - y_min) * (bottom - top); }

ChartAxes chart_axes(const std::vector<Series>& series, const ChartOptions& options) {
  validate(series, options);
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const Series& s : series)
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      if (!finite(s.x[k]) || !finite(s.y[k])) continue;
      const double e = k < s.error.size() && finite(s.error[k]) ? s.error[k] : 0;
      x_lo = std::min(x_lo, s.x[k]);
      x_hi = std::max(x_hi, s.x[k]);
      y_lo = std::min(y_lo, s.y[k] - e);
      y_hi = std::max(y_hi, s.y[k] + e);
    }
  if (!finite(x_lo)) throw std::invalid_argument("line_chart \"" + options.title + "\": no finite point to plot");

  ChartAxes axes;
  axes.log_x = options.log_x;
  if (options.log_x) {
    // 4 % of the span in log space on either side.
    const auto [lo, hi] = padded_range(std::log10(x_lo), std::log10(x_hi), 0.04);
    axes.x_min = std::pow(10.0, lo);
    axes.x_max = std::pow(10.0, hi);
  } else {
    std::tie(axes.x_min, axes.x_max) = padded_range(x_lo, x_hi, 0.04);
  }
  std::tie(axes.y_min, axes.y_max) = padded_range(y_lo, y_hi, 0.06);
  if (options.y_min) axes.y_min = *options.y_min;
  if (options.y_max) axes.y_max = *options.y_max;
  if (!(axes.y_min < axes.y_max))
    throw std::invalid_argument("line_chart \"" + options.title + "\": the data lie outside the given y range");

  // Margins from the text they hold; the y ticks depend only on the plot height, the x ticks on
  // the plot width, which depends on the y tick labels.
  const Canvas measure(1, 1);
  measure.set_font(FontSize::title, true);
  const double title_height = options.title.empty() ? 0 : measure.ascent() + measure.descent() + 10;
  measure.set_font(FontSize::label);
  const double label_height = measure.ascent() + measure.descent() + 8;
  measure.set_font(FontSize::tick);
  const double tick_height = measure.ascent() + measure.descent();

  axes.top = std::round(kPad + title_height + tick_height / 2);
  axes.bottom = std::round(options.height - kPad - (options.x_label.empty() ? 0 : label_height) - tick_height -
                           kTickGap - kTickLength);
  if (axes.bottom - axes.top < 40)
    throw std::invalid_argument("line_chart: height " + std::to_string(options.height) + " leaves no room to plot");
  axes.y_ticks = linear_ticks(axes.y_min, axes.y_max, std::max(2, static_cast<int>((axes.bottom - axes.top) / 55)));
  double widest = 0;
  for (const std::string& label : labels(axes.y_ticks, false)) widest = std::max(widest, measure.text_width(label));
  axes.left = std::round(kPad + (options.y_label.empty() ? 0 : label_height) + widest + kTickGap + kTickLength);
  axes.right = std::round(options.width - kPad -
                          (has_legend(series) ? legend_width(measure, series) + kLegendGap : tick_height));
  if (axes.right - axes.left < 60)
    throw std::invalid_argument("line_chart: width " + std::to_string(options.width) + " leaves no room to plot");

  // As many x ticks as fit with their labels apart.
  measure.set_font(FontSize::tick);
  for (int target = std::max(2, static_cast<int>((axes.right - axes.left) / 90)); target >= 2; --target) {
    axes.x_ticks = options.log_x ? log_ticks(axes.x_min, axes.x_max, target + 1)
                                 : linear_ticks(axes.x_min, axes.x_max, target);
    double needed = 0;
    for (const std::string& label : labels(axes.x_ticks, options.log_x)) needed += measure.text_width(label) + 14;
    if (needed <= axes.right - axes.left) break;
  }
  return axes;
}

data::Image line_chart(const std::vector<Series>& series, const ChartOptions& options) {
  const ChartAxes axes = chart_axes(series, options);
  const Canvas canvas(options.width, options.height);
  draw_axes(canvas, axes);
  cairo_t* cr = canvas.cr();
  cairo_save(cr);
  cairo_rectangle(cr, axes.left, axes.top, axes.right - axes.left + 1, axes.bottom - axes.top + 1);
  cairo_clip(cr);
  // Bars, then lines, then markers, each for every series, so no bar or line hides a marker.
  for (std::size_t i = 0; i < series.size(); ++i) draw_error_bars(canvas, axes, series[i], i);
  for (std::size_t i = 0; i < series.size(); ++i) draw_line(canvas, axes, series[i], i);
  for (std::size_t i = 0; i < series.size(); ++i) draw_markers(canvas, axes, series[i], i);
  cairo_restore(cr);
  draw_frame(canvas, axes);
  if (has_legend(series)) draw_legend(canvas, axes, series);
  draw_labels(canvas, axes, options);
  return canvas.to_image();
}

}  // namespace gg::report

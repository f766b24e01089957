#include "report/heat_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "report/canvas.h"
#include "report/ticks.h"

namespace gg::report {
namespace {

constexpr double kPad = 12, kLabelGap = 6, kBarGap = 18, kBarWidth = 16;
constexpr Colour kInk{0.15, 0.15, 0.15};
constexpr double kCos45 = std::numbers::sqrt2 / 2;

void validate(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_labels,
              const std::vector<std::string>& column_labels) {
  if (values.empty() || values[0].empty()) throw std::invalid_argument("heat_map: empty matrix");
  if (row_labels.size() != values.size())
    throw std::invalid_argument(fmt::format("heat_map: {} row labels for {} rows", row_labels.size(), values.size()));
  if (column_labels.size() != values[0].size())
    throw std::invalid_argument(
        fmt::format("heat_map: {} column labels for {} columns", column_labels.size(), values[0].size()));
  for (std::size_t r = 0; r < values.size(); ++r)
    if (values[r].size() != values[0].size())
      throw std::invalid_argument(fmt::format("heat_map: row {} has {} values, row 0 has {}", r, values[r].size(), values[0].size()));
}

// Every value written with the same number of decimals: none for counts.
std::vector<std::vector<std::string>> cell_texts(const std::vector<std::vector<double>>& values) {
  bool integral = true;
  double largest = 0;
  for (const auto& row : values)
    for (double v : row) {
      integral = integral && (!std::isfinite(v) || v == std::round(v));
      if (std::isfinite(v)) largest = std::max(largest, std::abs(v));
    }
  const int decimals = integral ? 0 : largest < 10 ? 2 : largest < 100 ? 1 : 0;
  std::vector<std::vector<std::string>> texts;
  for (const auto& row : values) {
    texts.emplace_back();
    for (double v : row) texts.back().push_back(std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "-");
  }
  return texts;
}

// The colour scale: row shares 0..1, or the values from min(0, smallest) to the largest.
std::pair<double, double> scale_range(const std::vector<std::vector<double>>& values, bool normalize_rows) {
  if (normalize_rows) return {0, 1};
  double lo = 0, hi = 0;
  for (const auto& row : values)
    for (double v : row)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  return {lo, hi > lo ? hi : lo + 1};
}

// Every cell's position on the colour scale, 0..1.
std::vector<std::vector<double>> shares(const std::vector<std::vector<double>>& values, bool normalize_rows) {
  const auto [lo, hi] = scale_range(values, normalize_rows);
  std::vector<std::vector<double>> out;
  for (const auto& row : values) {
    double sum = 0;
    for (double v : row)
      if (std::isfinite(v)) sum += v;
    out.emplace_back();
    for (double v : row) {
      const double t = !std::isfinite(v) ? 0 : normalize_rows ? (sum > 0 ? v / sum : 0) : (v - lo) / (hi - lo);
      out.back().push_back(std::clamp(t, 0.0, 1.0));
    }
  }
  return out;
}

// Column labels go under the matrix, turned 45 degrees when one is wider than a cell.
struct Geometry {
  HeatMapLayout layout;
  bool turned = false;
  double bar_left = 0, scale_lo = 0, scale_hi = 1;
  std::vector<double> bar_ticks;
};

Geometry geometry(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_labels,
                  const std::vector<std::string>& column_labels, const std::string& title, bool normalize_rows) {
  validate(values, row_labels, column_labels);
  const Canvas measure(1, 1);
  Geometry g;
  HeatMapLayout& l = g.layout;
  const auto rows = static_cast<int>(values.size()), columns = static_cast<int>(values[0].size());

  measure.set_font(FontSize::small);
  double widest_value = 0;
  for (const auto& row : cell_texts(values))
    for (const std::string& t : row) widest_value = std::max(widest_value, measure.text_width(t));
  l.cell = static_cast<int>(std::ceil(std::max(34.0, widest_value + 10)));

  measure.set_font(FontSize::tick);
  const double cap = measure.ascent(), line = measure.ascent() + measure.descent();
  double widest_row = 0, widest_column = 0;
  for (const std::string& s : row_labels) widest_row = std::max(widest_row, measure.text_width(s));
  for (const std::string& s : column_labels) widest_column = std::max(widest_column, measure.text_width(s));
  g.turned = widest_column > l.cell - 4;

  double left = kPad + widest_row + kLabelGap;
  if (g.turned)  // a turned label reaches left of its column by its width * cos 45
    for (int c = 0; c < columns; ++c)
      left = std::max(left, kPad + measure.text_width(column_labels[c]) * kCos45 + cap / 2 - (c + 0.5) * l.cell);
  l.left = static_cast<int>(std::ceil(left));

  double title_height = 0;
  if (!title.empty()) {
    measure.set_font(FontSize::title, true);
    title_height = measure.ascent() + measure.descent() + 12;
  }
  l.top = static_cast<int>(std::ceil(kPad + title_height + (normalize_rows ? line + 6 : cap / 2)));
  const double matrix_bottom = l.top + rows * l.cell;
  const double labels_height = g.turned ? (widest_column + cap) * kCos45 : line;

  std::tie(g.scale_lo, g.scale_hi) = scale_range(values, normalize_rows);
  g.bar_left = l.left + columns * l.cell + kBarGap;
  g.bar_ticks = linear_ticks(g.scale_lo, g.scale_hi, std::max(2, rows * l.cell / 80));
  const double step = g.bar_ticks.size() > 1 ? g.bar_ticks[1] - g.bar_ticks[0] : 0;
  measure.set_font(FontSize::tick);
  double widest_tick = 0;
  for (double t : g.bar_ticks) widest_tick = std::max(widest_tick, measure.text_width(tick_label(t, step)));

  l.width = static_cast<int>(std::ceil(g.bar_left + kBarWidth + 4 + kLabelGap + widest_tick + kPad));
  l.height = static_cast<int>(std::ceil(matrix_bottom + kLabelGap + labels_height + kPad));
  if (!title.empty()) {
    measure.set_font(FontSize::title, true);
    l.width = std::max(l.width, static_cast<int>(std::ceil(measure.text_width(title) + 2 * kPad)));
  }
  return g;
}

void draw_bar(const Canvas& canvas, const Geometry& g, int rows, bool normalize_rows) {
  const HeatMapLayout& l = g.layout;
  const double top = l.top, height = rows * l.cell, x = g.bar_left;
  // One-pixel bands from the top (share 1) down.
  for (int y = 0; y < static_cast<int>(height); ++y)
    canvas.fill_rect(x, top + y, kBarWidth, 1, heat_colour(1 - (y + 0.5) / height));
  canvas.set_colour(kInk);
  cairo_set_line_width(canvas.cr(), 1);
  cairo_rectangle(canvas.cr(), x + 0.5, top + 0.5, kBarWidth - 1, height - 1);
  cairo_stroke(canvas.cr());
  canvas.set_font(FontSize::tick);
  const double step = g.bar_ticks.size() > 1 ? g.bar_ticks[1] - g.bar_ticks[0] : 0;
  for (double t : g.bar_ticks) {
    const double y = std::round(top + (1 - (t - g.scale_lo) / (g.scale_hi - g.scale_lo)) * (height - 1));
    canvas.hline(x + kBarWidth, x + kBarWidth + 4, y, kInk);
    canvas.set_colour(kInk);
    canvas.text(tick_label(t, step), x + kBarWidth + 4 + kLabelGap, y + 0.5, Align::start, Align::centre);
  }
  if (normalize_rows) {
    canvas.set_font(FontSize::small);
    canvas.text("row share", x + kBarWidth / 2, top - 6, Align::centre, Align::end);
  }
}

}  // namespace

Colour heat_colour(double t) {
  // ColorBrewer's "Blues" (as matplotlib has it): every channel falls from stop to stop, green
  // strictly, so darkness grows strictly with t.
  static constexpr std::array<std::array<int, 3>, 9> kStops = {{{0xf7, 0xfb, 0xff},
                                                                {0xde, 0xeb, 0xf7},
                                                                {0xc6, 0xdb, 0xef},
                                                                {0x9e, 0xca, 0xe1},
                                                                {0x6b, 0xae, 0xd6},
                                                                {0x42, 0x92, 0xc6},
                                                                {0x21, 0x71, 0xb5},
                                                                {0x08, 0x51, 0x9c},
                                                                {0x08, 0x30, 0x6b}}};
  const double u = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * (kStops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(u), kStops.size() - 2);
  const double f = u - i;
  const auto mix = [&](int c) { return ((1 - f) * kStops[i][c] + f * kStops[i + 1][c]) / 255.0; };
  return {mix(0), mix(1), mix(2)};
}

HeatMapLayout heat_map_layout(const std::vector<std::vector<double>>& values,
                              const std::vector<std::string>& row_labels,
                              const std::vector<std::string>& column_labels, const std::string& title,
                              bool normalize_rows) {
  return geometry(values, row_labels, column_labels, title, normalize_rows).layout;
}

data::Image heat_map(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_labels,
                     const std::vector<std::string>& column_labels, const std::string& title, bool normalize_rows) {
  const Geometry g = geometry(values, row_labels, column_labels, title, normalize_rows);
  const HeatMapLayout& l = g.layout;
  const auto rows = static_cast<int>(values.size()), columns = static_cast<int>(values[0].size());
  const std::vector<std::vector<double>> t = shares(values, normalize_rows);
  const std::vector<std::vector<std::string>> texts = cell_texts(values);

  const Canvas canvas(l.width, l.height);
  canvas.set_font(FontSize::small);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) {
      const Colour colour = heat_colour(t[r][c]);
      const double x = l.left + c * l.cell, y = l.top + r * l.cell;
      canvas.fill_rect(x, y, l.cell, l.cell, colour);
      // Dark text on light cells, white on dark ones; zeros quieter so the non-zero cells stand out.
      const double luminance = 0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b;
      canvas.set_colour(luminance < 0.45 ? Colour{1, 1, 1} : values[r][c] == 0 ? Colour{0.6, 0.6, 0.6} : kInk);
      canvas.text(texts[r][c], x + l.cell / 2.0, y + l.cell / 2.0, Align::centre, Align::centre);
    }
  // Thin white lines between cells, a frame around the matrix.
  for (int c = 1; c < columns; ++c) canvas.vline(l.left + c * l.cell, l.top, l.top + rows * l.cell, {1, 1, 1});
  for (int r = 1; r < rows; ++r) canvas.hline(l.left, l.left + columns * l.cell, l.top + r * l.cell, {1, 1, 1});
  canvas.set_colour(kInk);
  cairo_set_line_width(canvas.cr(), 1);
  cairo_rectangle(canvas.cr(), l.left - 0.5, l.top - 0.5, columns * l.cell + 1, rows * l.cell + 1);
  cairo_stroke(canvas.cr());

  canvas.set_font(FontSize::tick);
  canvas.set_colour(kInk);
  for (int r = 0; r < rows; ++r)
    canvas.text(row_labels[r], l.left - kLabelGap, l.top + (r + 0.5) * l.cell, Align::end, Align::centre);
  const double below = l.top + rows * l.cell + kLabelGap;
  for (int c = 0; c < columns; ++c) {
    const double x = l.left + (c + 0.5) * l.cell;
    if (g.turned)  // rising to the right, its end centred under the column
      canvas.text(column_labels[c], x - canvas.ascent() * kCos45 / 2, below, Align::end, Align::start,
                  -std::numbers::pi / 4);
    else
      canvas.text(column_labels[c], x, below, Align::centre, Align::start);
  }
  draw_bar(canvas, g, rows, normalize_rows);
  if (!title.empty()) {
    canvas.set_font(FontSize::title, true);
    canvas.set_colour(kInk);
    canvas.text(title, l.width / 2.0, kPad, Align::centre, Align::start);
  }
  return canvas.to_image();
}

}  // namespace gg::report

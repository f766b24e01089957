#include "report/canvas.h"

#include <fontconfig/fontconfig.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace gg::report {
namespace {

constexpr const char* kFamily = "DejaVu Sans";

// Cairo's toy text API falls back to any font silently; the drawings are laid out for DejaVu Sans
// and must look the same everywhere, so a missing font is an error.
void check_font_installed() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(kFamily));
    FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result = FcResultNoMatch;
    FcPattern* match = FcFontMatch(nullptr, pattern, &result);
    FcChar8* family = nullptr;
    if (!match || FcPatternGetString(match, FC_FAMILY, 0, &family) != FcResultMatch ||
        std::strcmp(reinterpret_cast<const char*>(family), kFamily) != 0) {
      error = std::string("report: the font \"") + kFamily + "\" is not installed (Debian package fonts-dejavu-core)" +
              (family ? std::string("; fontconfig offers \"") + reinterpret_cast<const char*>(family) + "\"" : "");
    }
    if (match) FcPatternDestroy(match);
    FcPatternDestroy(pattern);
  });
  if (!error.empty()) throw std::runtime_error(error);
}

}  // namespace

Canvas::Canvas(int width, int height) : width_(width), height_(height) {
  check_font_installed();
  if (width < 1 || height < 1)
    throw std::invalid_argument("report: image size " + std::to_string(width) + "x" + std::to_string(height));
  surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface_));
    cairo_surface_destroy(surface_);
    throw std::runtime_error("report: cannot make a " + std::to_string(width) + "x" + std::to_string(height) +
                             " Cairo surface: " + why);
  }
  cr_ = cairo_create(surface_);
  // Grey-scale antialiasing with slight hinting: crisp, and independent of the machine's
  // fontconfig settings (sub-pixel colour fringes would also make the pixels machine-dependent).
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_ON);
  cairo_font_options_set_subpixel_order(options, CAIRO_SUBPIXEL_ORDER_DEFAULT);
  cairo_set_font_options(cr_, options);
  cairo_font_options_destroy(options);
  fill_rect(0, 0, width, height, {1, 1, 1});
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::set_colour(Colour c) const { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }

void Canvas::set_font(double size, bool bold) const {
  cairo_select_font_face(cr_, kFamily, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

double Canvas::text_width(const std::string& text) const {
  cairo_text_extents_t e;
  cairo_text_extents(cr_, text.c_str(), &e);
  return e.x_advance;
}

double Canvas::ascent() const {
  cairo_text_extents_t e;
  cairo_text_extents(cr_, "H", &e);
  return -e.y_bearing;
}

double Canvas::descent() const {
  cairo_font_extents_t e;
  cairo_font_extents(cr_, &e);
  return e.descent;
}

void Canvas::text(const std::string& text, double x, double y, Align h, Align v, double angle) const {
  const double w = text_width(text), cap = ascent();
  const double dx = h == Align::start ? 0 : h == Align::centre ? -w / 2 : -w;
  const double dy = v == Align::start ? cap : v == Align::centre ? cap / 2 : -descent();
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, angle);
  // Unrotated text starts on a whole pixel so hinted glyphs stay sharp.
  if (angle == 0) cairo_move_to(cr_, std::round(x + dx) - x, std::round(y + dy) - y);
  else cairo_move_to(cr_, dx, dy);
  cairo_show_text(cr_, text.c_str());
  cairo_restore(cr_);
}

std::string Canvas::fit(const std::string& text, double width) const {
  if (text_width(text) <= width) return text;
  const std::string ellipsis = "\u2026";
  std::string cut = text;
  while (!cut.empty()) {
    // Drop one UTF-8 character: continuation bytes are 10xxxxxx.
    do cut.pop_back();
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80);
    if (text_width(cut + ellipsis) <= width) return cut + ellipsis;
  }
  return text_width(ellipsis) <= width ? ellipsis : "";
}

void Canvas::fill_rect(double x, double y, double w, double h, Colour c) const {
  set_colour(c);
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

void Canvas::hline(double x0, double x1, double y, Colour c, double width) const {
  set_colour(c);
  cairo_set_line_width(cr_, width);
  const double centre = static_cast<int>(width) % 2 == 1 ? 0.5 : 0;
  cairo_move_to(cr_, x0, y + centre);
  cairo_line_to(cr_, x1, y + centre);
  cairo_stroke(cr_);
}

void Canvas::vline(double x, double y0, double y1, Colour c, double width) const {
  set_colour(c);
  cairo_set_line_width(cr_, width);
  const double centre = static_cast<int>(width) % 2 == 1 ? 0.5 : 0;
  cairo_move_to(cr_, x + centre, y0);
  cairo_line_to(cr_, x + centre, y1);
  cairo_stroke(cr_);
}

data::Image Canvas::to_image() const {
  cairo_surface_flush(surface_);
  const unsigned char* data = cairo_image_surface_get_data(surface_);
  const int stride = cairo_image_surface_get_stride(surface_);
  data::Image image(width_, height_, 3);
  for (int y = 0; y < height_; ++y) {
    // RGB24: one native-endian 32-bit word per pixel, 0x00RRGGBB.
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::size_t>(y) * stride);
    for (int x = 0; x < width_; ++x) {
      std::uint8_t* p = image.at(x, y);
      p[0] = static_cast<std::uint8_t>(row[x] >> 16);
      p[1] = static_cast<std::uint8_t>(row[x] >> 8);
      p[2] = static_cast<std::uint8_t>(row[x]);
    }
  }
  return image;
}

}  // namespace gg::report

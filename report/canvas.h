#pragma once
// A white RGB drawing surface on Cairo with the few text and shape helpers the report drawings
// share. Internal to gg_report: Cairo is a private dependency.
#include <cairo.h>

#include <string>

#include "data/image.h"
#include "report/colour.h"

namespace gg::report {

enum class Align { start, centre, end };

// Text sizes in pixels, one place for all drawings.
struct FontSize {
  static constexpr double title = 17, label = 14, tick = 12.5, small = 11.5;
};

class Canvas {
 public:
  // Fills the surface with white. Throws std::runtime_error when Cairo cannot make it, or when
  // fontconfig resolves "DejaVu Sans" to another family (fonts-dejavu-core is not installed).
  Canvas(int width, int height);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  cairo_t* cr() const { return cr_; }
  int width() const { return width_; }
  int height() const { return height_; }

  void set_colour(Colour c) const;
  void set_font(double size, bool bold = false) const;
  double text_width(const std::string& text) const;
  // Ascent of capitals and descent of the current font, for vertical placement.
  double ascent() const;
  double descent() const;
  // Text whose anchor is (x, y): `h` picks its left/centre/right, `v` its top/middle/baseline-ish
  // bottom (start = top of capitals, centre = middle of capitals, end = bottom of descenders).
  // `angle` turns it about the anchor (radians, clockwise on screen).
  void text(const std::string& text, double x, double y, Align h, Align v, double angle = 0) const;
  // The longest prefix of `text` (whole UTF-8 characters) that fits `width` pixels, with an ellipsis
  // when cut.
  std::string fit(const std::string& text, double width) const;

  void fill_rect(double x, double y, double w, double h, Colour c) const;
  // A 1-pixel line on integer pixel coordinates, drawn crisp (centred on pixel centres).
  void hline(double x0, double x1, double y, Colour c, double width = 1) const;
  void vline(double x, double y0, double y1, Colour c, double width = 1) const;

  data::Image to_image() const;  // RGB

 private:
  int width_, height_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

}  // namespace gg::report

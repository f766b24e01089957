#pragma once
// An RGB colour for drawing with Cairo.
namespace gg::report {

struct Colour {
  double r = 0, g = 0, b = 0;  // 0..1
};

}  // namespace gg::report

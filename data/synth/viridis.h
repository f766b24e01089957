#pragma once
// The viridis colour map, as the Gravity Spy scans use it for "normalized energy".
#include <cstdint>

namespace gg::data::synth {

struct Rgb {
  std::uint8_t r, g, b;
};

// Colour of t in [0, 1] (clamped): dark purple at 0, yellow at 1.
Rgb viridis(double t);

}  // namespace gg::data::synth

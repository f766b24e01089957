#pragma once
// The viridis colour map, as the Gravity Spy scans use it for "normalized energy".
#include <cstdint>

namespace gg::data::synth {

struct Rgb {
  std::uint8_t r, g, b;
};

// Colour of t in [0, 1] (clamped): dark purple at 0, yellow at 1.
Rgb viridis(double t);

// The inverse: the t in [0, 1] of the map's nearest colour (of its 256 entries, in RGB distance).
// On a Gravity Spy scan, t is the normalised energy over the colour scale's top, 25.5.
double viridis_position(Rgb colour);

}  // namespace gg::data::synth

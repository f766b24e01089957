#pragma once
// Draws a Q scan the way the Gravity Spy images are drawn: an 800x600 figure with the plot frame at
// x = 100 and 674, y = 60 and 540, frequency on a log2 axis from 10 to 2048 Hz (ticks 16 ... 2048),
// time from -window/2 to +window/2 (5 ticks), viridis "normalized energy" from 0 to 25.5, and the
// colour bar at x = 691-720. Text labels are left out; the geometry is what the crop depends on.
#include "data/image.h"
#include "data/synth/qtransform.h"

namespace gg::data::synth {

struct ScanGeometry {
  static constexpr int kWidth = 800, kHeight = 600;
  static constexpr int kLeft = 100, kRight = 674, kTop = 60, kBottom = 540;  // frame lines
  static constexpr int kBarLeft = 691, kBarRight = 720;                       // colour bar
  static constexpr double kFMin = 10, kFMax = 2048, kEnergyMax = 25.5;

  // Frequency of pixel row y, and the row of a frequency (y = 540 - 480 log2(f / 10) / log2(204.8)).
  static double frequency_at(int y);
  static int row_of(double f);
  // Time (seconds from the centre) of pixel column x, and the column of a time (x = 101 + 572 (t / window + 1/2)).
  static double time_at(int x, double window);
  static int column_of(double t, double window);
};

// RGB image of the plane over `window` seconds centred on the segment's middle.
Image plot_scan(const QPlane& plane, double segment_duration, double window);

}  // namespace gg::data::synth

#pragma once
// How much synthetic glitch scans look like real ones, in numbers a classifier would notice. Every
// statistic is taken on a scan's normalised energy: each pixel of an RGB (viridis) sample mapped
// back to its position on the colour scale, 0 (dark purple) to 1 (yellow, 25.5 on Gravity Spy's
// scale), row 0 the top of the plot (the highest frequency, 2048 Hz), column 0 the window's start.
#include <cstddef>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace gg::data {

inline constexpr int kBackgroundBins = 10;

// One scan's normalised energy, (height, width) row-major.
struct EnergyMap {
  int height = 0, width = 0;
  std::vector<double> values;
  double at(int row, int column) const { return values[static_cast<std::size_t>(row) * width + column]; }
};

// Sample `index` of a 3-channel (RGB, planar) data set as energy; throws std::invalid_argument for
// another channel count.
EnergyMap energy_map(const Dataset& rgb, std::size_t index);

struct ScanStatistics {
  std::vector<double> row_energy;  // (height): mean energy of each frequency row over the window
  double peak = 0;                 // the largest energy
  // The loud cluster: the pixels of energy >= the threshold connected (8 neighbours) to the peak.
  // Its extent in time and frequency as shares of the axes; 0 when the peak is below the threshold.
  double time_extent = 0, frequency_extent = 0;
  std::vector<double> background;  // kBackgroundBins shares of the other pixels' energy over [0, 1]
};
ScanStatistics scan_statistics(const EnergyMap& map, double loud_threshold);

// Means over the scans of one class (sample standard deviation for the peak).
struct ClassStatistics {
  std::string name;
  std::size_t scans = 0;
  std::vector<double> row_energy;
  double peak_mean = 0, peak_std = 0;
  double time_extent_mean = 0, frequency_extent_mean = 0;
  std::vector<double> background;
};
// One entry per class of `rgb` that has scans, in label order.
std::vector<ClassStatistics> class_statistics(const Dataset& rgb, double loud_threshold);

// Synthetic against real, one class.
struct ClassComparison {
  ClassStatistics real, synthetic;
  double row_energy_difference = 0;  // mean |synthetic - real| over the rows
  double peak_difference = 0;        // synthetic - real, of the means
  double time_extent_ratio = 0, frequency_extent_ratio = 0;  // synthetic / real; NaN when real's is 0
  double background_distance = 0;    // total variation between the histograms, in [0, 1]
};
ClassComparison compare_class(const ClassStatistics& real, const ClassStatistics& synthetic);

}  // namespace gg::data

#pragma once
// Matrix heat maps for reports, e.g. confusion matrices.
#include <string>
#include <vector>

#include "data/image.h"
#include "report/colour.h"

namespace gg::report {

// A labelled matrix heat map (e.g. a confusion matrix: rows = true class, cols = predicted), the
// count written in each cell, a colour scale; `normalize_rows` colours by row share.
// Throws std::invalid_argument when the labels do not match the matrix or a row is ragged.
data::Image heat_map(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_labels,
                     const std::vector<std::string>& column_labels, const std::string& title,
                     bool normalize_rows = true);

// The cell colour of a share t in [0, 1] (clamped): white at 0 to dark blue at 1, its luminance
// strictly falling with t.
Colour heat_colour(double t);

// Where heat_map puts its cells: cell (row, column) covers x in [left + column * cell, left +
// (column + 1) * cell), y likewise from top.
struct HeatMapLayout {
  int width = 0, height = 0;  // image size
  int left = 0, top = 0;      // corner of cell (0, 0)
  int cell = 0;               // cell side, pixels
};
HeatMapLayout heat_map_layout(const std::vector<std::vector<double>>& values,
                              const std::vector<std::string>& row_labels,
                              const std::vector<std::string>& column_labels, const std::string& title,
                              bool normalize_rows = true);

}  // namespace gg::report

#pragma once
// Range checks for numeric flags. CLI11's own (PositiveNumber, Range) print the type's limits in
// full ("Value 0 not in range 0.000000 to 17976931348623157081...000000"); these say what is
// wanted and what was given: "--batch: must be > 0, got 0". The help names the range after the type
// (INT:POSITIVE, FLOAT:in [0, 1]).
#include <CLI/CLI.hpp>
#include <string>

namespace gg::tools {

CLI::Validator positive();                      // > 0
CLI::Validator non_negative();                  // >= 0
CLI::Validator in_range(double lo, double hi);  // lo <= x <= hi

}  // namespace gg::tools

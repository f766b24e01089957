#pragma once
// Range checks for numeric flags. CLI11's own (PositiveNumber, Range) print the type's limits in
// full ("Value 0 not in range 0.000000 to 17976931348623157081...000000"); these say what is
// wanted and what was given: "--batch: must be > 0, got 0". The help names the range after the type
// (INT:POSITIVE, FLOAT:in [0, 1]). Also the choice among a fixed list of names.
#include <CLI/CLI.hpp>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace gg::tools {

CLI::Validator positive();                      // > 0
CLI::Validator non_negative();                  // >= 0
CLI::Validator in_range(double lo, double hi);  // lo <= x <= hi

// One of `names` (e.g. data::synth::kModelSetNames), the list the parser of the value keeps too.
template <std::size_t N>
CLI::Validator one_of(const std::array<const char*, N>& names) {
  return CLI::IsMember(std::vector<std::string>(names.begin(), names.end()));
}

}  // namespace gg::tools

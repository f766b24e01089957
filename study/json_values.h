#pragma once
// JSON values of the study's summaries.
#include <cmath>
#include <nlohmann/json.hpp>

namespace gg::study {

// A measured number, or null where it was not measured (NaN) or is undefined.
inline nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace gg::study

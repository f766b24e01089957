#include "tools/cli_checks.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <optional>

namespace gg::tools {

namespace {

// The flag's text as a finite number, or nullopt when it is not one (all of it).
std::optional<double> number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// `wanted` goes into the error ("must be > 0"), `help` after the type in --help ("INT:POSITIVE").
CLI::Validator numeric_check(std::function<bool(double)> ok, const std::string& wanted, const std::string& help) {
  return CLI::Validator(
      [ok = std::move(ok), wanted](std::string& text) -> std::string {
        const std::optional<double> v = number(text);
        if (!v) return fmt::format("must be a number {}, got '{}'", wanted, text);
        return ok(*v) ? std::string() : fmt::format("must be {}, got {}", wanted, text);
      },
      help);
}

}  // namespace

CLI::Validator positive() {
  return numeric_check([](double v) { return v > 0; }, "> 0", "POSITIVE");
}

CLI::Validator non_negative() {
  return numeric_check([](double v) { return v >= 0; }, ">= 0", "NONNEGATIVE");
}

CLI::Validator in_range(double lo, double hi) {
  return numeric_check([lo, hi](double v) { return v >= lo && v <= hi; }, fmt::format("in [{:g}, {:g}]", lo, hi),
                       fmt::format("in [{:g}, {:g}]", lo, hi));
}

}  // namespace gg::tools

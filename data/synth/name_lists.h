#pragma once
// Fixed lists of names in the order of the values they name (glitch classes, model sets, energy
// normalisations): one list per kind serves the parser, the printer, the CLI's choices and the error
// that lists the known names.
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gg::data::synth {

// Position of `name` in `names`, or -1.
template <std::size_t N>
constexpr int position_of(const std::array<const char*, N>& names, std::string_view name) {
  for (std::size_t k = 0; k < N; ++k) {
    if (name == names[k]) return static_cast<int>(k);
  }
  return -1;
}

// Position of `name` in `names`; throws std::invalid_argument "unknown <what> '<name>' (known: a, b, ...)" otherwise.
template <std::size_t N>
std::size_t position_or_throw(const std::array<const char*, N>& names, const std::string& name, const char* what) {
  const int k = position_of(names, name);
  if (k >= 0) return static_cast<std::size_t>(k);
  std::string known;
  for (const char* n : names) known += std::string(known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown " + std::string(what) + " '" + name + "' (known: " + known + ")");
}

}  // namespace gg::data::synth

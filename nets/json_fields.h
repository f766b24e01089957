#pragma once
// Integer fields of the checkpoints' JSON documents, read with a range check. nlohmann::json turns
// any number into any arithmetic type with a plain cast: undefined behaviour for a float outside
// the integer's range (3.9e23 read as a std::uint64_t, found by fuzz/fuzz_progan_state.cpp) and a
// silent wrap for a too-large integer. Floating-point fields need no such check (every JSON number
// fits a double).
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gg::nets {

// `v` as T; std::invalid_argument naming `what` unless it is a JSON integer within T's range.
template <typename T> T json_integer(const nlohmann::json& v, const std::string& what) {
  if (v.is_number_unsigned() && std::in_range<T>(v.get<std::uint64_t>())) return static_cast<T>(v.get<std::uint64_t>());
  if (v.is_number_integer() && !v.is_number_unsigned() && std::in_range<T>(v.get<std::int64_t>()))
    return static_cast<T>(v.get<std::int64_t>());
  throw std::invalid_argument("'" + what + "' must be an integer from " + std::to_string(std::numeric_limits<T>::min()) +
                              " to " + std::to_string(std::numeric_limits<T>::max()) + ", found " + v.dump());
}

// j[key] as T (nlohmann's out_of_range when the key is missing).
template <typename T> T integer_field(const nlohmann::json& j, const char* key) { return json_integer<T>(j.at(key), key); }

// j[key] as an array of T.
template <typename T> std::vector<T> integer_list_field(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  if (!v.is_array()) throw std::invalid_argument(std::string("'") + key + "' must be an array, found " + v.dump());
  std::vector<T> out;
  for (const nlohmann::json& item : v) out.push_back(json_integer<T>(item, key));
  return out;
}

}  // namespace gg::nets

#include "report/jsonl_series.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace gg::report {
namespace {

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

std::vector<Series> series_from_jsonl(const std::filesystem::path& path, const std::string& x_key,
                                      const std::vector<std::string>& y_keys) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open the JSON-lines log");
  std::vector<Series> series(y_keys.size());
  for (std::size_t k = 0; k < y_keys.size(); ++k) series[k].label = y_keys[k];

  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (blank(line)) continue;
    const std::string where = fmt::format("{}:{}", path.string(), number);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number beyond a double
      throw std::runtime_error(where + ": not JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw std::runtime_error(where + ": not a JSON object");
    const auto x = j.find(x_key);
    if (x == j.end()) throw std::runtime_error(where + ": no \"" + x_key + "\"");
    if (!x->is_number()) throw std::runtime_error(where + ": \"" + x_key + "\" is not a number: " + x->dump());
    for (std::size_t k = 0; k < y_keys.size(); ++k) {
      const auto y = j.find(y_keys[k]);
      // A line without the key, or with null (how a NaN is written), has no point for it.
      if (y == j.end() || y->is_null()) continue;
      if (!y->is_number()) throw std::runtime_error(where + ": \"" + y_keys[k] + "\" is not a number: " + y->dump());
      series[k].x.push_back(x->get<double>());
      series[k].y.push_back(y->get<double>());
    }
  }
  if (in.bad()) throw std::runtime_error(path.string() + ": read error");
  for (const Series& s : series)
    if (s.x.empty()) throw std::runtime_error(path.string() + ": no line has a number for \"" + s.label + "\"");
  return series;
}

}  // namespace gg::report

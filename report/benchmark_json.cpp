#include "report/benchmark_json.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace gg::report {

std::map<std::string, double> read_benchmark_times(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open benchmark file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot read benchmark file");
  return parse_benchmark_times(text.view(), path.string());
}

std::map<std::string, double> parse_benchmark_times(std::string_view text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(name + ": not a Google Benchmark JSON file (" + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw std::runtime_error(name + ": no \"benchmarks\" array; write it with --benchmark_out_format=json");
  static const std::map<std::string, double> kUnitNs = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  // With --benchmark_repetitions a benchmark has several iterations and aggregates (with
  // --benchmark_report_aggregates_only, aggregates alone): its median is taken, computed from the
  // iterations where the file has none.
  std::map<std::string, std::vector<double>> iterations;
  std::map<std::string, double> times;
  const nlohmann::json& benchmarks = doc["benchmarks"];
  for (std::size_t i = 0; i < benchmarks.size(); ++i) {
    const nlohmann::json& b = benchmarks[i];
    // A wrongly typed field (a string "real_time", an entry that is no object) is a bad file too.
    try {
      const std::string run_type = b.value("run_type", "iteration");
      const bool median = run_type == "aggregate" && b.value("aggregate_name", "") == "median";
      if ((run_type != "iteration" && !median) || b.contains("error_occurred")) continue;
      const auto unit = kUnitNs.find(b.value("time_unit", "ns"));
      if (unit == kUnitNs.end()) throw std::runtime_error(name + ": unknown time_unit in " + b.value("name", "?"));
      const double ns = b.at("real_time").get<double>() * unit->second;
      if (median)
        times[b.at("run_name").get<std::string>()] = ns;
      else
        iterations[b.at("name").get<std::string>()].push_back(ns);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(name + ": bad entry " + std::to_string(i) + " of \"benchmarks\" (" + e.what() + ")");
    }
  }
  for (auto& [benchmark, runs] : iterations) {
    if (times.contains(benchmark)) continue;
    std::sort(runs.begin(), runs.end());
    const std::size_t n = runs.size();
    times[benchmark] = n % 2 ? runs[n / 2] : (runs[n / 2 - 1] + runs[n / 2]) / 2;
  }
  return times;
}

}  // namespace gg::report

#pragma once
// Reads the JSON files Google Benchmark writes (--benchmark_out=FILE --benchmark_out_format=json),
// as `glitchgan bench-compare` compares them.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace gg::report {

// Benchmark name -> real time per iteration in nanoseconds: the median of its repetitions (the
// file's "median" aggregate, or computed from its iterations), a single run's time without
// repetitions; benchmarks that reported an error are skipped. Every error is a std::runtime_error
// naming the file.
std::map<std::string, double> read_benchmark_times(const std::filesystem::path& path);
// The same from the file's text; `name` names it in errors.
std::map<std::string, double> parse_benchmark_times(std::string_view text, const std::string& name);

}  // namespace gg::report

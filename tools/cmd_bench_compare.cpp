// `glitchgan bench-compare BASE NEW`: compares two Google Benchmark JSON files (written with
// --benchmark_out=FILE --benchmark_out_format=json) and flags benchmarks whose time per iteration
// grew by more than a threshold. Exits 1 when any regressed, so CI can gate on it.
#include <fmt/core.h>

#include "report/benchmark_json.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"

namespace gg::tools {

void add_bench_compare_command(CLI::App& app) {
  struct Options {
    std::string base, current;
    double threshold = 0.10;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("bench-compare", "Compare two benchmark JSON files and flag regressions");
  cmd->add_option("base", opt->base, "baseline JSON (--benchmark_out)")->required()->check(CLI::ExistingFile);
  cmd->add_option("new", opt->current, "new JSON to judge")->required()->check(CLI::ExistingFile);
  cmd->add_option("--threshold", opt->threshold, "relative slow-down that counts as a regression")
      ->check(positive())
      ->capture_default_str();
  cmd->callback([opt] {
    const auto base = report::read_benchmark_times(opt->base), current = report::read_benchmark_times(opt->current);
    int regressions = 0, compared = 0;
    fmt::print("{:<60} {:>12} {:>12} {:>8}\n", "benchmark", "base", "new", "change");
    for (const auto& [name, t_new] : current) {
      const auto it = base.find(name);
      if (it == base.end()) {
        fmt::print("{:<60} {:>12} {:>10.0f}ns {:>8}\n", name, "-", t_new, "new");
        continue;
      }
      const double change = t_new / it->second - 1;
      const bool regressed = change > opt->threshold;
      regressions += regressed;
      ++compared;
      fmt::print("{:<60} {:>10.0f}ns {:>10.0f}ns {:>+7.1f}%{}\n", name, it->second, t_new, 100 * change,
                 regressed ? "  REGRESSION" : "");
    }
    for (const auto& [name, t] : base)
      if (!current.count(name)) fmt::print("{:<60} {:>10.0f}ns {:>12} {:>8}\n", name, t, "-", "gone");
    fmt::print("{} compared, {} regressed by more than {:.0f}%\n", compared, regressions, 100 * opt->threshold);
    if (regressions) throw CLI::RuntimeError(1);
  });
}

}  // namespace gg::tools

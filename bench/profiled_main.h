#pragma once
// main() for benchmarks of whole steps: GG_PROFILE=1 adds a table of where the time went, kernel
// by kernel (engine/profiler.h), after the benchmark results.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "engine/profiler.h"

namespace gg::bench {

inline int run_with_profile(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const bool profile = std::getenv("GG_PROFILE") != nullptr;
  KernelProfiler::set_enabled(profile);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (profile) std::fputs(KernelProfiler::table().c_str(), stdout);
  return 0;
}

}  // namespace gg::bench

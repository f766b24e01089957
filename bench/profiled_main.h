#pragma once
// main() for benchmarks of whole steps: GG_PROFILE=1 adds a table of where the time went, kernel
// by kernel (engine/profiler.h), after the benchmark results.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "bench/roofline.h"
#include "engine/profiler.h"

namespace gg::bench {

inline int run_with_profile(int argc, char** argv) {
  const bool profile = std::getenv("GG_PROFILE") != nullptr;
  KernelProfiler::set_enabled(profile);
  const int status = run_benchmarks(argc, argv);
  if (profile && status == 0) std::fputs(KernelProfiler::table().c_str(), stdout);
  return status;
}

}  // namespace gg::bench

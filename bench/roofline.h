#pragma once
// The machine's peaks that benchmarks report their share of, and counter helpers.
// Defaults were measured on the 2-core development machine: OpenBLAS sgemm at 1024^3 on 2 threads
// and a STREAM-style triad on 2 threads. Override with GG_PEAK_GFLOPS / GG_PEAK_GBPS elsewhere.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

namespace gg::bench {

inline double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::stod(v) : fallback;
}

inline double peak_flops() { return env_or("GG_PEAK_GFLOPS", 185.0) * 1e9; }
inline double peak_bytes() { return env_or("GG_PEAK_GBPS", 28.0) * 1e9; }

// FLOP/s and the share of the sgemm roofline, from the FLOPs of one iteration.
inline void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_share"] =
      benchmark::Counter(flops_per_iteration / peak_flops(), benchmark::Counter::kIsIterationInvariantRate);
}

// Bytes/s and the share of the triad bandwidth, from the bytes one iteration must move.
inline void report_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes_per_iteration) * state.iterations());
  state.counters["peak_share"] =
      benchmark::Counter(bytes_per_iteration / peak_bytes(), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace gg::bench

#pragma once
// Counter helpers for the share of this machine's measured peaks (bench/machine_peaks.h), and the
// main() of the CPU benchmarks, which records those peaks and the CPU in the results' context.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/busy_neighbours.h"
#include "bench/machine_peaks.h"

namespace gg::bench {

inline double peak_flops() { return machine_peaks().sgemm_gflops * 1e9; }
inline double peak_bytes() { return machine_peaks().triad_gbps * 1e9; }

// Measures (or reads) the peaks before any benchmark runs, so no timing includes it, and writes
// them into the JSON's "context" beside the machine Google Benchmark describes.
inline void add_peaks_to_context() {
  const MachinePeaks& p = machine_peaks();
  benchmark::AddCustomContext("cpu_model", p.cpu);
  benchmark::AddCustomContext("peak_sgemm_gflops", std::to_string(p.sgemm_gflops));
  benchmark::AddCustomContext("peak_triad_gbps", std::to_string(p.triad_gbps));
  benchmark::AddCustomContext("peak_threads", std::to_string(p.threads));
  benchmark::AddCustomContext("peak_source", p.source);
}

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

// Google Benchmark's main() with the peaks in the context, then GG_BENCH_BUSY's neighbours (the
// peaks are the idle machine's) and the thread count, both recorded in the context too.
inline int run_benchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  add_peaks_to_context();
  const BusyNeighbours neighbours(BusyNeighbours::requested());
  benchmark::AddCustomContext("busy_processes", std::to_string(neighbours.count()));
  benchmark::AddCustomContext("threads", std::to_string(use_threads_for_load()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace gg::bench

#define GG_BENCHMARK_MAIN() \
  int main(int argc, char** argv) { return gg::bench::run_benchmarks(argc, argv); }

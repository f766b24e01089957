#pragma once
// The peaks of the machine a benchmark runs on, which its "peak_share" counters are shares of:
// OpenBLAS sgemm at 1024^3 (FLOP-bound kernels) and a STREAM-style triad a = b + s * c over
// arrays far larger than the caches (memory-bound ones), each on all OpenMP threads, best of 5.
//
// Measured once per machine (a few seconds) and cached, keyed by the CPU model and the thread
// count, in $GG_PEAKS_CACHE or else $XDG_CACHE_HOME/glitchgan/peaks.json (~/.cache/...): the CPU
// behind a cloud machine's name changes, so a share is only true of the machine it was measured
// on. GG_PEAK_GFLOPS / GG_PEAK_GBPS override either number.
#include <string>

namespace gg::bench {

struct MachinePeaks {
  double sgemm_gflops = 0, triad_gbps = 0;
  std::string cpu;   // /proc/cpuinfo's model name and widest vector ISA
  int threads = 0;   // OpenMP threads the peaks were measured with
  std::string source;  // "measured", "cache <file>", with " + env" when an override applied
};

// The peaks of this process's machine and thread count (measured or read at the first call).
const MachinePeaks& machine_peaks();

// The measurement itself, no cache: sgemm best-of-5 GFLOP/s and triad best-of-5 GB/s.
double measure_sgemm_gflops();
double measure_triad_gbps();

}  // namespace gg::bench

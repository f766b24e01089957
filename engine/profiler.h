#pragma once
// Where a step's time goes: while enabled, every CPU kernel call through the backend table is timed
// (wall clock) and summed per kernel, so a table shows which kernels dominate a training step.
// Off by default, and free then. CUDA kernels are asynchronous: profile them with Nsight Systems,
// which shows the backend's NVTX ranges.
#include <cstdint>
#include <string>
#include <vector>

namespace gg {

class Backend;
class ProganKernels;

struct KernelTime {
  std::string name;
  std::int64_t calls = 0;
  double seconds = 0;
  double flops = 0;  // summed over the calls; 0 where the kernel declares none
};

class KernelProfiler {
 public:
  static void set_enabled(bool on);
  static bool enabled();
  static void reset();
  static void add(const char* kernel, double seconds);
  // One call of `kernel` on one shape (`detail`), kept beside the per-kernel totals (which add()
  // counts) so that a second table shows which shapes of a kernel cost the most.
  static void add_detail(const char* kernel, const std::string& detail, double seconds, double flops);
  // Totals per kernel, the largest first.
  static std::vector<KernelTime> totals();
  // Totals per kernel and shape, named "<kernel> <detail>", the largest first.
  static std::vector<KernelTime> detail_totals();
  // A table of kernel, calls, milliseconds and share of the profiled time; then, where shapes
  // were recorded, the same per kernel and shape with GFLOP/s.
  static std::string table();
};

// The CPU kernel tables with every call timed into KernelProfiler (backend_for and
// progan_kernels_for hand them out while profiling is enabled).
Backend& profiled_cpu_backend();
ProganKernels& profiled_cpu_progan_kernels();

}  // namespace gg

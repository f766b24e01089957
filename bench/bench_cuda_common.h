#pragma once
// Shared by the CUDA benchmarks (bench/bench_cuda_*.cpp). Each iteration is timed with CUDA events
// on the backend's stream (Google Benchmark's manual time), so the numbers are device time, not
// launch overhead; counters give bytes/s or FLOP/s and the share of the device's theoretical peak
// from its properties:
//   bandwidth = 2 (double data rate) x memory clock x bus width / 8
//   f32 FLOP/s = 2 (an FMA) x SMs x f32 lanes per SM x SM clock
// With no visible device the program prints GG_SKIP_NO_CUDA and exits 0.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <cstdio>
#include <string>

#include "engine/backend.h"
#include "engine/ops.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_backend_api.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_runtime_info.h"

namespace gg::bench_cuda {

inline Device device() { return Device::cuda(0); }
inline CudaBackend& backend() { return static_cast<CudaBackend&>(cuda_backend(0)); }

// FP32 lanes per SM: 64 on Volta and A100 (sm_70, sm_80), 128 on GA10x, Ada, Hopper and later.
inline int f32_lanes_per_sm(int major, int minor) { return (major < 8 || (major == 8 && minor == 0)) ? 64 : 128; }

struct Peaks {
  std::string name;
  double bytes_per_second;
  double flops_per_second;  // f32 without tensor cores
};

inline const Peaks& peaks() {
  static const Peaks p = [] {
    cudaDeviceProp prop{};
    GG_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    int sm_clock_khz = 0, memory_clock_khz = 0;  // no longer in cudaDeviceProp since CUDA 13
    GG_CUDA_CHECK(cudaDeviceGetAttribute(&sm_clock_khz, cudaDevAttrClockRate, 0));
    GG_CUDA_CHECK(cudaDeviceGetAttribute(&memory_clock_khz, cudaDevAttrMemoryClockRate, 0));
    return Peaks{prop.name, 2.0 * memory_clock_khz * 1e3 * prop.memoryBusWidth / 8.0,
                 2.0 * prop.multiProcessorCount * f32_lanes_per_sm(prop.major, prop.minor) * sm_clock_khz * 1e3};
  }();
  return p;
}

// Runs f once (warm-up: cuDNN algorithm choice, allocator cache), then times each iteration.
template <typename F>
void time_on_device(benchmark::State& state, F&& f) {
  cudaStream_t stream = backend().stream();
  f();
  GG_CUDA_CHECK(cudaStreamSynchronize(stream));
  cudaEvent_t start, stop;
  GG_CUDA_CHECK(cudaEventCreate(&start));
  GG_CUDA_CHECK(cudaEventCreate(&stop));
  for (auto _ : state) {
    GG_CUDA_CHECK(cudaEventRecord(start, stream));
    f();
    GG_CUDA_CHECK(cudaEventRecord(stop, stream));
    GG_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    GG_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    state.SetIterationTime(ms * 1e-3);
  }
  GG_CUDA_CHECK(cudaEventDestroy(start));
  GG_CUDA_CHECK(cudaEventDestroy(stop));
}

inline void report_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes_per_iteration) * state.iterations());
  state.counters["peak_share"] = benchmark::Counter(bytes_per_iteration / peaks().bytes_per_second,
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

inline void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_share"] = benchmark::Counter(flops_per_iteration / peaks().flops_per_second,
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

inline int run_benchmarks(int argc, char** argv) {
  if (cuda_runtime_info().device_count == 0) {
    std::printf("GG_SKIP_NO_CUDA: no CUDA device is visible (%s); CUDA benchmarks skipped\n",
                cuda_runtime_info().error.c_str());
    return 0;
  }
  benchmark::AddCustomContext("device", peaks().name);
  benchmark::AddCustomContext("peak_GBps", std::to_string(peaks().bytes_per_second / 1e9));
  benchmark::AddCustomContext("peak_f32_TFLOPs", std::to_string(peaks().flops_per_second / 1e12));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace gg::bench_cuda

#define GG_CUDA_BENCHMARK_MAIN() \
  int main(int argc, char** argv) { return gg::bench_cuda::run_benchmarks(argc, argv); }

#pragma once
// The CPU side of the op-case benchmarks shared with the CUDA programs (bench/*_cases.h): how a case
// makes its random inputs, times its body and reports its work.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "bench/roofline.h"
#include "engine/random.h"
#include "engine/tensor.h"

namespace gg::bench {

struct CpuEnv {
  static Tensor random(const Shape& shape, std::uint64_t seed) {
    Generator gen(seed);
    return Tensor::randn(shape, gen);
  }
  template <class F>
  static void time(benchmark::State& state, F&& body) {
    for (auto _ : state) body();
  }
  static void report_bytes(benchmark::State& state, double bytes) { bench::report_bytes(state, bytes); }
  static void report_flops(benchmark::State& state, double flops) { bench::report_flops(state, flops); }
};

}  // namespace gg::bench

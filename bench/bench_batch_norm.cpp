// Batch norm + ReLU in training, fused against the composition it replaced, on the CPU (the cases
// are in bench/batch_norm_cases.h, shared with the CUDA program); each result gets its share of
// the machine's measured memory bandwidth (bench/roofline.h).
#include "bench/batch_norm_cases.h"
#include "bench/roofline.h"

namespace {

struct CpuEnv {
  static gg::Tensor random(const gg::Shape& shape, std::uint64_t seed) {
    gg::Generator gen(seed);
    return gg::Tensor::randn(shape, gen);
  }
  template <class F>
  static void time(benchmark::State& state, F&& body) {
    for (auto _ : state) body();
  }
  static void report_bytes(benchmark::State& state, double bytes) { gg::bench::report_bytes(state, bytes); }
};

}  // namespace

int main(int argc, char** argv) {
  gg::bench::batch_norm_cases::register_cases<CpuEnv>("", /*manual_time=*/false);
  return gg::bench::run_benchmarks(argc, argv);
}

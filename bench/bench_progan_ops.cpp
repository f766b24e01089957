// ProGAN's fused ops against the compositions of basic ops that define them, on the CPU (the
// cases are in bench/progan_op_cases.h, shared with the CUDA program); each result gets its share
// of the machine's peak (bench/roofline.h).
#include "bench/progan_op_cases.h"
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
  static void report_flops(benchmark::State& state, double flops) { gg::bench::report_flops(state, flops); }
};

}  // namespace

int main(int argc, char** argv) {
  gg::bench::progan_ops::register_cases<CpuEnv>("", /*manual_time=*/false);
  return gg::bench::run_benchmarks(argc, argv);
}

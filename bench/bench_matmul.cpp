// matmul (OpenBLAS sgemm through the engine) at square sizes: the roofline every other FLOP-bound
// benchmark is measured against.
#include "bench/roofline.h"
#include "engine/ops.h"

namespace {

void BM_matmul(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  gg::Generator gen(1);
  const gg::Tensor a = gg::Tensor::randn({n, n}, gen), b = gg::Tensor::randn({n, n}, gen);
  gg::NoGrad no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(gg::matmul(a, b).raw_data());
  gg::bench::report_flops(state, 2.0 * static_cast<double>(n * n * n));
}

void BM_linear_backward(benchmark::State& state) {
  // (batch, in) x (out, in)^T with both gradients: three GEMMs of the same size.
  const std::int64_t batch = 256, in = state.range(0), out = state.range(0);
  gg::Generator gen(2);
  gg::Tensor x = gg::Tensor::randn({batch, in}, gen), w = gg::Tensor::randn({out, in}, gen);
  x.set_requires_grad();
  w.set_requires_grad();
  for (auto _ : state) {
    const auto g = gg::grad({gg::sum(gg::linear(x, w))}, {x, w});
    benchmark::DoNotOptimize(g[1].raw_data());
  }
  gg::bench::report_flops(state, 3 * 2.0 * static_cast<double>(batch * in * out));
}

}  // namespace

BENCHMARK(BM_matmul)->Arg(256)->Arg(512)->Arg(1024)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_linear_backward)->Arg(512)->Arg(1024)->UseRealTime()->Unit(benchmark::kMillisecond);
GG_BENCHMARK_MAIN();

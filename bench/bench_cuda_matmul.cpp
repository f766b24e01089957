// matmul through cuBLAS at square sizes, and linear's three GEMMs, in FLOP/s and as a share of
// the device's f32 peak (without tensor cores). The second argument turns TF32 on, whose share of
// the plain f32 peak can exceed 1.
#include "bench/bench_cuda_common.h"
#include "kernels/cuda/cuda_settings.h"

namespace {

using gg::bench_cuda::time_on_device;

// Sets TF32 for the benchmark's lifetime.
struct Tf32Scope {
  explicit Tf32Scope(bool on) { gg::cuda_settings().allow_tf32 = on; }
  ~Tf32Scope() { gg::cuda_settings().allow_tf32 = false; }
};

void BM_cuda_matmul(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tf32Scope tf32(state.range(1) != 0);
  gg::Generator gen(1);
  const gg::TensorOptions opt{gg::DType::f32, gg::bench_cuda::device()};
  const gg::Tensor a = gg::Tensor::randn({n, n}, gen, opt), b = gg::Tensor::randn({n, n}, gen, opt);
  const gg::Tensor c = gg::Tensor::empty({n, n}, opt);
  time_on_device(state, [&] { gg::bench_cuda::backend().gemm(false, false, n, n, n, 1.0, a, b, 0.0, c); });
  gg::bench_cuda::report_flops(state, 2.0 * static_cast<double>(n * n * n));
  state.SetLabel(state.range(1) ? "tf32" : "f32");
}

void BM_cuda_linear_backward(benchmark::State& state) {
  const std::int64_t batch = 256, in = state.range(0), out = state.range(0);
  const Tf32Scope tf32(state.range(1) != 0);
  gg::Generator gen(2);
  const gg::TensorOptions opt{gg::DType::f32, gg::bench_cuda::device()};
  gg::Tensor x = gg::Tensor::randn({batch, in}, gen, opt), w = gg::Tensor::randn({out, in}, gen, opt);
  x.set_requires_grad();
  w.set_requires_grad();
  time_on_device(state, [&] {
    const auto g = gg::grad({gg::sum(gg::linear(x, w))}, {x, w});
    benchmark::DoNotOptimize(g[1].raw_data());
  });
  gg::bench_cuda::report_flops(state, 3 * 2.0 * static_cast<double>(batch * in * out));
  state.SetLabel(state.range(1) ? "tf32" : "f32");
}

}  // namespace

BENCHMARK(BM_cuda_matmul)->ArgsProduct({{256, 1024, 4096}, {0, 1}})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cuda_linear_backward)->ArgsProduct({{512, 1024}, {0, 1}})->UseManualTime()->Unit(benchmark::kMillisecond);
GG_CUDA_BENCHMARK_MAIN();

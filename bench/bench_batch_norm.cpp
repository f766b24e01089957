// Batch norm + ReLU in training, fused against the composition it replaced, on the CPU (the cases
// are in bench/batch_norm_cases.h, shared with the CUDA program); and the fused kernels on
// oneDNN's channel-blocked layout (kernels/cpu/blocked_layout.h), as the classifier runs them
// between convolutions, at blocks of 16 (AVX-512) and 8 (AVX2) channels. Each result gets its share
// of the machine's measured memory bandwidth (bench/roofline.h).
#include <algorithm>
#include <string>
#include <vector>

#include "bench/batch_norm_cases.h"
#include "bench/cpu_bench_env.h"
#include "bench/roofline.h"
#include "engine/backend.h"
#include "kernels/cpu/blocked_layout.h"

namespace {

using gg::Tensor;
using namespace gg::bench::batch_norm_cases;

// A (kBatch, C, hw, hw) tensor whose current values are a blocked twin of random numbers.
Tensor random_blocked(std::int64_t c, std::int64_t hw, int block, std::uint64_t seed) {
  const Tensor t = Tensor::empty({kBatch, c, hw, hw});
  const std::vector<float> values = gg::bench::CpuEnv::random(t.shape(), seed).to_vector<float>();
  std::copy(values.begin(), values.end(), gg::cpu::write_blocked(t, block).data);
  return t;
}

void batch_norm_relu_blocked(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int block = static_cast<int>(state.range(2));
  const auto pass = static_cast<Pass>(state.range(3));
  const Tensor x = random_blocked(c, hw, block, 1), gy = random_blocked(c, hw, block, 4);
  const Tensor gamma = gg::bench::CpuEnv::random({c}, 2), beta = gg::bench::CpuEnv::random({c}, 3);
  const gg::TensorOptions stats{gg::DType::f64};
  const Tensor mean = Tensor::empty({c}, stats), var = Tensor::empty({c}, stats), invstd = Tensor::empty({c}, stats);
  const Tensor ggamma = Tensor::empty({c}), gbeta = Tensor::empty({c});
  gg::Backend& cpu = gg::cpu_backend();
  for (auto _ : state) {
    const Tensor y = Tensor::empty(x.shape());
    cpu.batch_norm_forward(x, gamma, beta, y, mean, var, invstd, 1e-5, /*relu=*/true);
    if (pass == kForwardBackward) {
      const Tensor gx = Tensor::empty(x.shape());
      cpu.batch_norm_backward(x, gy, gamma, beta, mean, invstd, gx, ggamma, gbeta, /*relu=*/true);
    }
  }
  gg::bench::report_bytes(state, kF * static_cast<double>(x.numel()) * (pass == kForward ? 2 : 5));
  state.SetLabel(std::to_string(kBatch) + "x" + std::to_string(c) + "x" + std::to_string(hw) + "x" + std::to_string(hw) +
                 " nChw" + std::to_string(block) + "c" + (pass == kForward ? " forward" : " forward+backward"));
}

}  // namespace

int main(int argc, char** argv) {
  register_cases<gg::bench::CpuEnv>("", /*manual_time=*/false);
  benchmark::RegisterBenchmark("batch_norm_relu_blocked", batch_norm_relu_blocked)
      ->Apply([](benchmark::internal::Benchmark* b) {
        for (const auto& [c, hw] : std::vector<std::pair<std::int64_t, std::int64_t>>{{32, 64}, {64, 32}, {128, 16}, {256, 8}})
          for (int block : {16, 8})
            for (int pass : {kForward, kForwardBackward}) b->Args({c, hw, block, pass});
      })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  return gg::bench::run_benchmarks(argc, argv);
}

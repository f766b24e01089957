#pragma once
// Training-mode batch norm + ReLU, fused (batch_norm_relu: one kernel each way) against the
// composition of basic ops it replaced (relu(unfused::batch_norm)), at the glitch classifier's
// shapes (bench_classifier_step.cpp: batch 32, widths 32 to 256 at 64x64 down to 8x8): forward
// alone (training mode, the running statistics updated) and forward + backward through autograd
// (the gradients of x, gamma and beta). Written once for the CPU (bench_batch_norm.cpp) and CUDA
// (bench_cuda_batch_norm.cpp) programs, which supply an Env as bench/progan_op_cases.h describes.
// Both versions report the bytes the fused kernels must move (forward: read x, write y;
// backward: read x and the output gradient, write the input gradient), so the composition's extra
// passes show as a lower rate.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/autograd.h"
#include "engine/ops.h"

namespace gg::bench::batch_norm_cases {

constexpr std::int64_t kBatch = 32;
constexpr double kF = sizeof(float);

enum Version : int { kUnfused, kFused };
enum Pass : int { kForward, kForwardBackward };

template <class Env>
void batch_norm_relu_case(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const auto version = static_cast<Version>(state.range(2));
  const auto pass = static_cast<Pass>(state.range(3));
  Tensor x = Env::random({kBatch, c, hw, hw}, 1), gamma = Env::random({c}, 2), beta = Env::random({c}, 3);
  BatchNormState st{Tensor::zeros({c}, x.options()), Tensor::ones({c}, x.options())};
  for (Tensor* t : {&x, &gamma, &beta}) t->set_requires_grad(pass == kForwardBackward);
  auto op = [&] {
    return version == kFused ? batch_norm_relu(x, gamma, beta, st, true)
                             : relu(unfused::batch_norm(x, gamma, beta, st, true));
  };
  const Tensor grad_out = Env::random(x.shape(), 4);
  Env::time(state, [&] {
    if (pass == kForward) {
      NoGrad no_grad;
      benchmark::DoNotOptimize(op().raw_data());
    } else {
      benchmark::DoNotOptimize(grad({op()}, {x, gamma, beta}, {grad_out}).front().raw_data());
    }
  });
  Env::report_bytes(state, kF * static_cast<double>(x.numel()) * (pass == kForward ? 2 : 5));
  state.SetLabel(std::to_string(kBatch) + "x" + std::to_string(c) + "x" + std::to_string(hw) + "x" + std::to_string(hw) +
                 (version == kFused ? " fused" : " unfused") + (pass == kForward ? " forward" : " forward+backward"));
}

// The classifier's four blocks: (32, 32, 64, 64) down to (32, 256, 8, 8), each pass and version.
inline void classifier_shapes(benchmark::internal::Benchmark* b) {
  for (const auto& [c, hw] : std::vector<std::pair<std::int64_t, std::int64_t>>{{32, 64}, {64, 32}, {128, 16}, {256, 8}})
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({c, hw, version, pass});
}

// Registers <prefix>batch_norm_relu; `manual_time` when Env::time sets iteration times itself.
template <class Env>
void register_cases(const std::string& prefix, bool manual_time) {
  benchmark::internal::Benchmark* b =
      benchmark::RegisterBenchmark((prefix + "batch_norm_relu").c_str(), batch_norm_relu_case<Env>)
          ->Apply(classifier_shapes)
          ->Unit(benchmark::kMicrosecond);
  if (manual_time) {
    b->UseManualTime();
  } else {
    b->UseRealTime();
  }
}

}  // namespace gg::bench::batch_norm_cases

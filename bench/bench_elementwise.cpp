// Memory-bound kernels, reported in bytes/s and as a share of the triad bandwidth. Each family
// counts the bytes the kernel must move (inputs read + outputs written) for one call. The unary
// kernels timed are those of the op table (tests/op_table.h) that ask for a benchmark.
#include <string>

#include "bench/roofline.h"
#include "engine/backend.h"
#include "engine/ops.h"
#include "kernels/cpu/blocked_layout.h"
#include "tests/op_table.h"

namespace {

using gg::Tensor;
constexpr double kF = sizeof(float);

gg::Backend& cpu() { return gg::cpu_backend(); }

Tensor random(const gg::Shape& shape, std::uint64_t seed) {
  gg::Generator gen(seed);
  return Tensor::randn(shape, gen);
}

void BM_binary_same_shape(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor a = random({n}, 1), b = random({n}, 2), out = Tensor::empty({n});
  for (auto _ : state) cpu().binary(gg::BinaryOp::add, a, b, out);
  gg::bench::report_bytes(state, 3 * kF * static_cast<double>(n));
}

void BM_binary_per_channel(benchmark::State& state) {
  // (16, C, H, W) + (1, C, 1, 1): the bias add after a convolution.
  const std::int64_t c = 256, hw = state.range(0);
  const Tensor a = random({16, c, hw, hw}, 1), b = random({1, c, 1, 1}, 2), out = Tensor::empty(a.shape());
  for (auto _ : state) cpu().binary(gg::BinaryOp::add, a, b, out);
  gg::bench::report_bytes(state, 2 * kF * static_cast<double>(a.numel()));
}

void BM_unary(benchmark::State& state, gg::UnaryOp op, double alpha) {
  const std::int64_t n = state.range(0);
  const Tensor x = random({n}, 3), y = Tensor::empty({n});
  for (auto _ : state) cpu().unary(op, x, y, alpha);
  gg::bench::report_bytes(state, 2 * kF * static_cast<double>(n));
}

void BM_sum_all(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor x = random({n}, 4), out = Tensor::empty({1});
  for (auto _ : state) cpu().sum_reduce(x, out);
  gg::bench::report_bytes(state, kF * static_cast<double>(n));
}

void BM_sum_per_channel(benchmark::State& state) {
  // Over dims (0, 2, 3) of (16, 256, H, W): the bias gradient of a convolution.
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 256, hw, hw}, 5), out = Tensor::empty({1, 256, 1, 1});
  for (auto _ : state) cpu().sum_reduce(x, out);
  gg::bench::report_bytes(state, kF * static_cast<double>(x.numel()));
}

void BM_sum_over_batch(benchmark::State& state) {
  // Over dim 0 of (N, 4096): the bias gradient of a linear layer.
  const std::int64_t n = state.range(0);
  const Tensor x = random({n, 4096}, 6), out = Tensor::empty({1, 4096});
  for (auto _ : state) cpu().sum_reduce(x, out);
  gg::bench::report_bytes(state, kF * static_cast<double>(x.numel()));
}

void BM_upsample_nearest2x(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 7), y = Tensor::empty({16, 128, 2 * hw, 2 * hw});
  for (auto _ : state) cpu().upsample_nearest2x(x, y);
  gg::bench::report_bytes(state, 5 * kF * static_cast<double>(x.numel()));
}

void BM_avg_pool2x2(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 8), y = Tensor::empty({16, 128, hw / 2, hw / 2});
  for (auto _ : state) cpu().avg_pool2x2(x, y);
  gg::bench::report_bytes(state, 1.25 * kF * static_cast<double>(x.numel()));
}

void BM_max_pool2x2(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 9), y = Tensor::empty({16, 128, hw / 2, hw / 2}), mask = Tensor::empty(x.shape());
  for (auto _ : state) cpu().max_pool2x2(x, y, mask);
  gg::bench::report_bytes(state, 2.25 * kF * static_cast<double>(x.numel()));
}

// The same on an input that a convolution left in nChw16c (kernels/cpu/blocked_layout.h): the
// output and the mask are written blocked too.
void BM_max_pool2x2_blocked(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = Tensor::empty({16, 128, hw, hw}), y = Tensor::empty({16, 128, hw / 2, hw / 2}), mask = Tensor::empty(x.shape());
  const std::vector<float> values = random(x.shape(), 9).to_vector<float>();
  std::copy(values.begin(), values.end(), gg::cpu::write_blocked(x, 16).data);
  for (auto _ : state) cpu().max_pool2x2(x, y, mask);
  gg::bench::report_bytes(state, 2.25 * kF * static_cast<double>(x.numel()));
}

void BM_log_softmax(benchmark::State& state) {
  const Tensor x = random({state.range(0), 22}, 10), y = Tensor::empty(x.shape());
  for (auto _ : state) cpu().log_softmax(x, y);
  gg::bench::report_bytes(state, 2 * kF * static_cast<double>(x.numel()));
}

void BM_random_normal(benchmark::State& state) {
  const Tensor t = Tensor::empty({state.range(0)});
  std::uint64_t offset = 0;
  for (auto _ : state) cpu().random_normal(t, 1, offset++, 0, 1);
  gg::bench::report_bytes(state, kF * static_cast<double>(t.numel()));
}

void BM_dropout_mask(benchmark::State& state) {
  const Tensor t = Tensor::empty({state.range(0)});
  std::uint64_t offset = 0;
  for (auto _ : state) cpu().dropout_mask(t, 1, offset++, 0.5);
  gg::bench::report_bytes(state, kF * static_cast<double>(t.numel()));
}

void BM_adam_step(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor p = random({n}, 11), g = random({n}, 12), m = Tensor::zeros({n}), v = Tensor::zeros({n});
  const gg::AdamHyper h{1e-3, 0.0, 0.99, 1e-8, 0.0, false, 1.0, 0.01};
  for (auto _ : state) cpu().adam_step(p, g, m, v, h);
  gg::bench::report_bytes(state, 7 * kF * static_cast<double>(n));  // read p, g, m, v; write p, m, v
}

void BM_concat_channels(benchmark::State& state) {
  // ProGAN's minibatch-stddev concat: (16, 256, 4, 4) + (16, 1, 4, 4), and larger maps.
  const std::int64_t hw = state.range(0);
  const Tensor a = random({16, 256, hw, hw}, 13), b = random({16, 1, hw, hw}, 14);
  gg::NoGrad no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(gg::concat({a, b}, 1).raw_data());
  gg::bench::report_bytes(state, 2 * kF * static_cast<double>(a.numel() + b.numel()));
}

constexpr std::int64_t kLarge = 1 << 24;  // 64 MiB of f32: far beyond the caches

// Registered during static initialisation, as BENCHMARK() registers the others.
[[maybe_unused]] const bool unary_registered = [] {
  for (const gg::op_table::UnaryOpRow& row : gg::op_table::kUnaryOps)
    if (row.bench)
      benchmark::RegisterBenchmark((std::string("BM_unary<gg::UnaryOp::") + row.name + ">").c_str(), BM_unary, row.kernel,
                                   row.alpha)
          ->Arg(kLarge)
          ->UseRealTime();
  return true;
}();

}  // namespace

BENCHMARK(BM_binary_same_shape)->Arg(1 << 16)->Arg(kLarge)->UseRealTime();
BENCHMARK(BM_binary_per_channel)->Arg(16)->Arg(32)->UseRealTime();
BENCHMARK(BM_sum_all)->Arg(kLarge)->UseRealTime();
BENCHMARK(BM_sum_per_channel)->Arg(16)->Arg(32)->UseRealTime();
BENCHMARK(BM_sum_over_batch)->Arg(64)->Arg(4096)->UseRealTime();
BENCHMARK(BM_upsample_nearest2x)->Arg(32)->UseRealTime();
BENCHMARK(BM_avg_pool2x2)->Arg(64)->UseRealTime();
BENCHMARK(BM_max_pool2x2)->Arg(64)->UseRealTime();
BENCHMARK(BM_max_pool2x2_blocked)->Arg(64)->UseRealTime();
BENCHMARK(BM_log_softmax)->Arg(4096)->UseRealTime();
BENCHMARK(BM_random_normal)->Arg(kLarge)->UseRealTime();
BENCHMARK(BM_dropout_mask)->Arg(kLarge)->UseRealTime();
BENCHMARK(BM_adam_step)->Arg(kLarge)->UseRealTime();
BENCHMARK(BM_concat_channels)->Arg(4)->Arg(32)->UseRealTime();
GG_BENCHMARK_MAIN();

// The memory-bound kernels of bench_elementwise.cpp on CUDA, in bytes/s and as a share of the
// device's memory bandwidth. Each family counts the bytes the kernel must move for one call. The
// unary kernels timed are those of the op table (tests/op_table.h) that ask for a benchmark.
#include <string>

#include "bench/bench_cuda_common.h"
#include "tests/op_table.h"

namespace {

using gg::Tensor;
using gg::bench_cuda::backend;
using gg::bench_cuda::report_bytes;
using gg::bench_cuda::time_on_device;
constexpr double kF = sizeof(float);

Tensor random(const gg::Shape& shape, std::uint64_t seed) {
  gg::Generator gen(seed);
  return Tensor::randn(shape, gen, {gg::DType::f32, gg::bench_cuda::device()});
}
Tensor empty(const gg::Shape& shape) { return Tensor::empty(shape, {gg::DType::f32, gg::bench_cuda::device()}); }

void BM_cuda_binary_same_shape(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor a = random({n}, 1), b = random({n}, 2), out = empty({n});
  time_on_device(state, [&] { backend().binary(gg::BinaryOp::add, a, b, out); });
  report_bytes(state, 3 * kF * static_cast<double>(n));
}

void BM_cuda_binary_per_channel(benchmark::State& state) {
  const std::int64_t c = 256, hw = state.range(0);
  const Tensor a = random({16, c, hw, hw}, 1), b = random({1, c, 1, 1}, 2), out = empty(a.shape());
  time_on_device(state, [&] { backend().binary(gg::BinaryOp::add, a, b, out); });
  report_bytes(state, 2 * kF * static_cast<double>(a.numel()));
}

void BM_cuda_unary(benchmark::State& state, gg::UnaryOp op, double alpha) {
  const std::int64_t n = state.range(0);
  const Tensor x = random({n}, 3), y = empty({n});
  time_on_device(state, [&] { backend().unary(op, x, y, alpha); });
  report_bytes(state, 2 * kF * static_cast<double>(n));
}

void BM_cuda_sum_all(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor x = random({n}, 4), out = empty({1});
  time_on_device(state, [&] { backend().sum_reduce(x, out); });
  report_bytes(state, kF * static_cast<double>(n));
}

void BM_cuda_sum_per_channel(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 256, hw, hw}, 5), out = empty({1, 256, 1, 1});
  time_on_device(state, [&] { backend().sum_reduce(x, out); });
  report_bytes(state, kF * static_cast<double>(x.numel()));
}

void BM_cuda_sum_over_batch(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor x = random({n, 4096}, 6), out = empty({1, 4096});
  time_on_device(state, [&] { backend().sum_reduce(x, out); });
  report_bytes(state, kF * static_cast<double>(x.numel()));
}

void BM_cuda_upsample_nearest2x(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 7), y = empty({16, 128, 2 * hw, 2 * hw});
  time_on_device(state, [&] { backend().upsample_nearest2x(x, y); });
  report_bytes(state, 5 * kF * static_cast<double>(x.numel()));
}

void BM_cuda_avg_pool2x2(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 8), y = empty({16, 128, hw / 2, hw / 2});
  time_on_device(state, [&] { backend().avg_pool2x2(x, y); });
  report_bytes(state, 1.25 * kF * static_cast<double>(x.numel()));
}

void BM_cuda_max_pool2x2(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor x = random({16, 128, hw, hw}, 9), y = empty({16, 128, hw / 2, hw / 2}), mask = empty(x.shape());
  time_on_device(state, [&] { backend().max_pool2x2(x, y, mask); });
  report_bytes(state, 2.25 * kF * static_cast<double>(x.numel()));
}

void BM_cuda_log_softmax(benchmark::State& state) {
  const Tensor x = random({state.range(0), 22}, 10), y = empty(x.shape());
  time_on_device(state, [&] { backend().log_softmax(x, y); });
  report_bytes(state, 2 * kF * static_cast<double>(x.numel()));
}

void BM_cuda_random_normal(benchmark::State& state) {
  const Tensor t = empty({state.range(0)});
  std::uint64_t offset = 0;
  time_on_device(state, [&] { backend().random_normal(t, 1, offset++, 0, 1); });
  report_bytes(state, kF * static_cast<double>(t.numel()));
}

void BM_cuda_dropout_mask(benchmark::State& state) {
  const Tensor t = empty({state.range(0)});
  std::uint64_t offset = 0;
  time_on_device(state, [&] { backend().dropout_mask(t, 1, offset++, 0.5); });
  report_bytes(state, kF * static_cast<double>(t.numel()));
}

void BM_cuda_adam_step(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const Tensor p = random({n}, 11), g = random({n}, 12), m = empty({n}), v = empty({n});
  m.fill_(0);
  v.fill_(0);
  const gg::AdamHyper h{1e-3, 0.0, 0.99, 1e-8, 0.0, false, 1.0, 0.01};
  time_on_device(state, [&] { backend().adam_step(p, g, m, v, h); });
  report_bytes(state, 7 * kF * static_cast<double>(n));  // read p, g, m, v; write p, m, v
}

void BM_cuda_concat_channels(benchmark::State& state) {
  const std::int64_t hw = state.range(0);
  const Tensor a = random({16, 256, hw, hw}, 13), b = random({16, 1, hw, hw}, 14);
  gg::NoGrad no_grad;
  time_on_device(state, [&] { benchmark::DoNotOptimize(gg::concat({a, b}, 1).raw_data()); });
  report_bytes(state, 2 * kF * static_cast<double>(a.numel() + b.numel()));
}

constexpr std::int64_t kLarge = 1 << 24;  // 64 MiB of f32: far beyond the L2 cache

// Registered during static initialisation, as BENCHMARK() registers the others.
[[maybe_unused]] const bool unary_registered = [] {
  for (const gg::op_table::UnaryOpRow& row : gg::op_table::kUnaryOps)
    if (row.bench)
      benchmark::RegisterBenchmark((std::string("BM_cuda_unary<gg::UnaryOp::") + row.name + ">").c_str(), BM_cuda_unary,
                                   row.kernel, row.alpha)
          ->Arg(kLarge)
          ->UseManualTime();
  return true;
}();

}  // namespace

BENCHMARK(BM_cuda_binary_same_shape)->Arg(1 << 16)->Arg(kLarge)->UseManualTime();
BENCHMARK(BM_cuda_binary_per_channel)->Arg(16)->Arg(32)->UseManualTime();
BENCHMARK(BM_cuda_sum_all)->Arg(kLarge)->UseManualTime();
BENCHMARK(BM_cuda_sum_per_channel)->Arg(16)->Arg(32)->UseManualTime();
BENCHMARK(BM_cuda_sum_over_batch)->Arg(64)->Arg(4096)->UseManualTime();
BENCHMARK(BM_cuda_upsample_nearest2x)->Arg(32)->UseManualTime();
BENCHMARK(BM_cuda_avg_pool2x2)->Arg(64)->UseManualTime();
BENCHMARK(BM_cuda_max_pool2x2)->Arg(64)->UseManualTime();
BENCHMARK(BM_cuda_log_softmax)->Arg(4096)->UseManualTime();
BENCHMARK(BM_cuda_random_normal)->Arg(kLarge)->UseManualTime();
BENCHMARK(BM_cuda_dropout_mask)->Arg(kLarge)->UseManualTime();
BENCHMARK(BM_cuda_adam_step)->Arg(kLarge)->UseManualTime();
BENCHMARK(BM_cuda_concat_channels)->Arg(4)->Arg(32)->UseManualTime();
GG_CUDA_BENCHMARK_MAIN();

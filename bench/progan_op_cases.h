#pragma once
// ProGAN's fused ops (engine/ops_progan.h) against the plain compositions of basic ops that define
// them (gg::unfused), at the shapes of a batch-16 ProGAN step: forward alone, and forward +
// backward through autograd. Written once for the CPU (bench_progan_ops.cpp) and CUDA
// (bench_cuda_progan_ops.cpp) programs, which supply an Env:
//   static Tensor random(const Shape&, std::uint64_t seed);            // inputs on the device
//   template <class F> static void time(benchmark::State&, F&& body);  // runs the timing loop
//   static void report_bytes(benchmark::State&, double);  static void report_flops(benchmark::State&, double);
// Memory-bound ops report the bytes the fused kernels must move, so both versions are rated against
// the same work (a composition's extra passes show up as a lower rate); the convolutions and linear
// layers report the FLOPs of the 3x3 (or dense) GEMM they define.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

#include "engine/autograd.h"
#include "engine/ops_progan.h"

namespace gg::bench::progan_ops {

using Inputs = std::vector<Tensor>;
using Op = std::function<Tensor(const Inputs&)>;
constexpr double kF = sizeof(float);
constexpr std::int64_t kBatch = 16;

enum Version : int { kUnfused, kFused };
enum Pass : int { kForward, kForwardBackward };

// Times op(inputs); with kForwardBackward also the gradient of every input for a fixed output gradient.
template <class Env>
void time_op(benchmark::State& state, const Op& op, Inputs inputs, Pass pass) {
  for (Tensor& t : inputs) t.set_requires_grad(pass == kForwardBackward);
  const Tensor grad_out = Env::random(op(inputs).shape(), 99);
  Env::time(state, [&] {
    if (pass == kForward) {
      NoGrad no_grad;
      benchmark::DoNotOptimize(op(inputs).raw_data());
    } else {
      benchmark::DoNotOptimize(grad({op(inputs)}, inputs, {grad_out}).front().raw_data());
    }
  });
}

inline std::string label(const std::string& shape, int version, int pass) {
  return shape + (version == kFused ? " fused" : " unfused") + (pass == kForward ? " forward" : " forward+backward");
}

inline std::string nchw(std::int64_t c, std::int64_t hw) {
  return std::to_string(kBatch) + "x" + std::to_string(c) + "x" + std::to_string(hw) + "x" + std::to_string(hw);
}

template <class Env>
void pixel_norm_case(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) { return version == kFused ? pixel_norm(v[0]) : unfused::pixel_norm(v[0]); };
  const Tensor x = Env::random({kBatch, c, hw, hw}, 1);
  time_op<Env>(state, op, {x}, static_cast<Pass>(pass));
  // Forward: read x, write y. Backward: read x and the gradient, write the input gradient.
  Env::report_bytes(state, kF * static_cast<double>(x.numel()) * (pass == kForward ? 2 : 5));
  state.SetLabel(label(nchw(c, hw), version, pass));
}

template <class Env>
void minibatch_stddev_case(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) { return version == kFused ? minibatch_stddev(v[0]) : unfused::minibatch_stddev(v[0]); };
  const Tensor x = Env::random({kBatch, c, hw, hw}, 2);
  time_op<Env>(state, op, {x}, static_cast<Pass>(pass));
  const double x_bytes = kF * static_cast<double>(x.numel()), y_bytes = x_bytes * static_cast<double>(c + 1) / static_cast<double>(c);
  Env::report_bytes(state, pass == kForward ? x_bytes + y_bytes : 3 * x_bytes + 2 * y_bytes);
  state.SetLabel(label(nchw(c, hw), version, pass));
}

template <class Env>
void fade_in_case(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) { return version == kFused ? fade_in(0.3, v[0], v[1]) : unfused::fade_in(0.3, v[0], v[1]); };
  const Tensor a = Env::random({kBatch, c, hw, hw}, 3), b = Env::random(a.shape(), 4);
  time_op<Env>(state, op, {a, b}, static_cast<Pass>(pass));
  // Forward: two reads and a write. Backward: read the gradient, write two.
  Env::report_bytes(state, kF * static_cast<double>(a.numel()) * (pass == kForward ? 3 : 6));
  state.SetLabel(label(nchw(c, hw), version, pass));
}

// D's downscale kernel (up = false) or G's upscale kernel (up = true).
template <class Env, bool up>
void resample_kernel_case(benchmark::State& state) {
  const std::int64_t cin = state.range(0), cout = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) {
    if constexpr (up) return version == kFused ? upscale_kernel(v[0]) : unfused::upscale_kernel(v[0]);
    return version == kFused ? downscale_kernel(v[0]) : unfused::downscale_kernel(v[0]);
  };
  const Tensor w = Env::random({cout, cin, 3, 3}, 11);
  time_op<Env>(state, op, {w}, static_cast<Pass>(pass));
  // Forward: read the 3x3 planes, write the 4x4 ones; backward: the other way round, once more.
  Env::report_bytes(state, kF * static_cast<double>(cout * cin) * (9 + 16) * (pass == kForward ? 1 : 2));
  state.SetLabel(label(std::to_string(cin) + "->" + std::to_string(cout) + " 3x3", version, pass));
}

// How equalized_conv2d_case resamples: range(3) of its arguments.
enum Resample : std::int64_t { kSame, kDown, kUp };

template <class Env>
void equalized_conv2d_case(benchmark::State& state) {
  const std::int64_t cin = state.range(0), cout = state.range(1), hw = state.range(2);
  const auto resample = static_cast<Resample>(state.range(3));
  const int version = static_cast<int>(state.range(4)), pass = static_cast<int>(state.range(5));
  const EqualizedOptions o{.leaky_relu = true, .downscale = resample == kDown, .upscale = resample == kUp};
  const Op op = [version, o](const Inputs& v) {
    return version == kFused ? equalized_conv2d(v[0], v[1], v[2], o) : unfused::equalized_conv2d(v[0], v[1], v[2], o);
  };
  time_op<Env>(state, op, {Env::random({kBatch, cin, hw, hw}, 5), Env::random({cout, cin, 3, 3}, 6), Env::random({cout}, 7)},
               static_cast<Pass>(pass));
  // The 3x3 convolution's FLOPs at the resolution it runs at (the fused resamplings do 4/9 of them
  // as one stride-2 4x4 convolution or its transpose).
  const std::int64_t conv_hw = resample == kUp ? 2 * hw : hw;
  const double flops = 2.0 * kBatch * cout * cin * 9 * conv_hw * conv_hw;
  Env::report_flops(state, flops * (pass == kForward ? 1 : 3));
  const char* suffix[] = {"", " down", " up"};
  state.SetLabel(label(std::to_string(cin) + "->" + std::to_string(cout) + " @" + std::to_string(hw) + suffix[resample],
                       version, pass));
}

template <class Env>
void equalized_linear_case(benchmark::State& state) {
  const std::int64_t in = state.range(0), out = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const EqualizedOptions o{.leaky_relu = true};
  const Op op = [version, o](const Inputs& v) {
    return version == kFused ? equalized_linear(v[0], v[1], v[2], o) : unfused::equalized_linear(v[0], v[1], v[2], o);
  };
  time_op<Env>(state, op, {Env::random({kBatch, in}, 8), Env::random({out, in}, 9), Env::random({out}, 10)},
               static_cast<Pass>(pass));
  Env::report_flops(state, 2.0 * kBatch * in * out * (pass == kForward ? 1 : 3));
  state.SetLabel(label(std::to_string(in) + "->" + std::to_string(out), version, pass));
}

// Every (a, b) shape in both passes and both versions.
inline void versions(benchmark::internal::Benchmark* b, const std::vector<std::pair<std::int64_t, std::int64_t>>& shapes) {
  for (const auto& [x, y] : shapes)
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({x, y, version, pass});
}

// Feature maps of a ProGAN at fmap_base 8192 / fmap_max 512 and of the 3-channel image.
inline void map_shapes(benchmark::internal::Benchmark* b) { versions(b, {{512, 8}, {256, 32}, {128, 64}}); }
inline void stddev_shapes(benchmark::internal::Benchmark* b) { versions(b, {{512, 4}, {64, 32}}); }
inline void fade_shapes(benchmark::internal::Benchmark* b) { versions(b, {{3, 64}, {256, 32}}); }
inline void linear_shapes(benchmark::internal::Benchmark* b) { versions(b, {{512, 8192}, {8192, 512}}); }
// D's conv1_down and G's conv0_up weights: (in, out) channels.
inline void kernel_shapes(benchmark::internal::Benchmark* b) { versions(b, {{512, 512}, {128, 256}}); }
inline void conv_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t shapes[][4] = {{512, 512, 8, kSame},   {256, 256, 16, kSame}, {128, 128, 32, kSame},
                                    {128, 256, 32, kDown},  {64, 128, 64, kDown},  {256, 256, 8, kUp},
                                    {256, 128, 16, kUp}};
  for (const auto& s : shapes)
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({s[0], s[1], s[2], s[3], version, pass});
}

// Registers the seven families as <prefix>pixel_norm, ...; `manual_time` when Env::time sets
// iteration times itself (CUDA events).
template <class Env>
void register_cases(const std::string& prefix, bool manual_time) {
  auto add = [&](const char* name, void (*fn)(benchmark::State&), void (*shapes)(benchmark::internal::Benchmark*),
                 benchmark::TimeUnit unit) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark((prefix + name).c_str(), fn)->Apply(shapes)->Unit(unit);
    if (manual_time) {
      b->UseManualTime();
    } else {
      b->UseRealTime();
    }
  };
  add("pixel_norm", pixel_norm_case<Env>, map_shapes, benchmark::kMicrosecond);
  add("minibatch_stddev", minibatch_stddev_case<Env>, stddev_shapes, benchmark::kMicrosecond);
  add("fade_in", fade_in_case<Env>, fade_shapes, benchmark::kMicrosecond);
  add("equalized_conv2d", equalized_conv2d_case<Env>, conv_shapes, manual_time ? benchmark::kMicrosecond : benchmark::kMillisecond);
  add("equalized_linear", equalized_linear_case<Env>, linear_shapes, benchmark::kMicrosecond);
  add("downscale_kernel", resample_kernel_case<Env, false>, kernel_shapes, benchmark::kMicrosecond);
  add("upscale_kernel", resample_kernel_case<Env, true>, kernel_shapes, benchmark::kMicrosecond);
}

}  // namespace gg::bench::progan_ops

// ProGAN's fused ops (engine/ops_progan.h) against the plain compositions of basic ops that
// define them (gg::unfused), on the CPU, at the shapes of a batch-16 ProGAN step: forward alone,
// and forward + backward through autograd. Memory-bound ops report the bytes the fused kernels
// must move, so both versions are rated against the same work (a composition's extra passes show
// up as a lower rate); the convolutions and linear layers report the FLOPs of the 3x3 (or dense)
// GEMM they define. Each gets its share of the machine's peak (bench/roofline.h).
#include <functional>

#include "bench/roofline.h"
#include "engine/ops_progan.h"

namespace {

using gg::Shape;
using gg::Tensor;
using Inputs = std::vector<Tensor>;
using Op = std::function<Tensor(const Inputs&)>;
constexpr double kF = sizeof(float);
constexpr std::int64_t kBatch = 16;

enum Version : int { kUnfused, kFused };
enum Pass : int { kForward, kForwardBackward };

Tensor random(const Shape& shape, std::uint64_t seed) {
  gg::Generator gen(seed);
  return Tensor::randn(shape, gen);
}

// Times op(inputs); with kForwardBackward also the gradient of every input for a fixed output gradient.
void time_op(benchmark::State& state, const Op& op, Inputs inputs, Pass pass) {
  for (Tensor& t : inputs) t.set_requires_grad(pass == kForwardBackward);
  const Tensor grad_out = random(op(inputs).shape(), 99);
  for (auto _ : state) {
    if (pass == kForward) {
      gg::NoGrad no_grad;
      benchmark::DoNotOptimize(op(inputs).raw_data());
    } else {
      benchmark::DoNotOptimize(gg::grad({op(inputs)}, inputs, {grad_out}).front().raw_data());
    }
  }
}

std::string label(const std::string& shape, int version, int pass) {
  return shape + (version == kFused ? " fused" : " unfused") + (pass == kForward ? " forward" : " forward+backward");
}

std::string nchw(std::int64_t c, std::int64_t hw) {
  return std::to_string(kBatch) + "x" + std::to_string(c) + "x" + std::to_string(hw) + "x" + std::to_string(hw);
}

void BM_pixel_norm(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) { return version == kFused ? gg::pixel_norm(v[0]) : gg::unfused::pixel_norm(v[0]); };
  const Tensor x = random({kBatch, c, hw, hw}, 1);
  time_op(state, op, {x}, static_cast<Pass>(pass));
  // Forward: read x, write y. Backward: read x and the gradient, write the input gradient.
  gg::bench::report_bytes(state, kF * static_cast<double>(x.numel()) * (pass == kForward ? 2 : 5));
  state.SetLabel(label(nchw(c, hw), version, pass));
}

void BM_minibatch_stddev(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) {
    return version == kFused ? gg::minibatch_stddev(v[0]) : gg::unfused::minibatch_stddev(v[0]);
  };
  const Tensor x = random({kBatch, c, hw, hw}, 2);
  time_op(state, op, {x}, static_cast<Pass>(pass));
  const double x_bytes = kF * static_cast<double>(x.numel()), y_bytes = x_bytes * static_cast<double>(c + 1) / static_cast<double>(c);
  gg::bench::report_bytes(state, pass == kForward ? x_bytes + y_bytes : 3 * x_bytes + 2 * y_bytes);
  state.SetLabel(label(nchw(c, hw), version, pass));
}

void BM_fade_in(benchmark::State& state) {
  const std::int64_t c = state.range(0), hw = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) {
    return version == kFused ? gg::fade_in(0.3, v[0], v[1]) : gg::unfused::fade_in(0.3, v[0], v[1]);
  };
  const Tensor a = random({kBatch, c, hw, hw}, 3), b = random(a.shape(), 4);
  time_op(state, op, {a, b}, static_cast<Pass>(pass));
  // Forward: two reads and a write. Backward: read the gradient, write two.
  gg::bench::report_bytes(state, kF * static_cast<double>(a.numel()) * (pass == kForward ? 3 : 6));
  state.SetLabel(label(nchw(c, hw), version, pass));
}

void BM_equalized_conv2d(benchmark::State& state) {
  const std::int64_t cin = state.range(0), cout = state.range(1), hw = state.range(2);
  const bool down = state.range(3) != 0;
  const int version = static_cast<int>(state.range(4)), pass = static_cast<int>(state.range(5));
  const gg::EqualizedOptions o{.leaky_relu = true, .downscale = down};
  const Op op = [version, o](const Inputs& v) {
    return version == kFused ? gg::equalized_conv2d(v[0], v[1], v[2], o) : gg::unfused::equalized_conv2d(v[0], v[1], v[2], o);
  };
  time_op(state, op, {random({kBatch, cin, hw, hw}, 5), random({cout, cin, 3, 3}, 6), random({cout}, 7)},
          static_cast<Pass>(pass));
  // The 3x3 convolution's FLOPs (the downscaled version does 4/9 of them as one 4x4 stride-2 GEMM).
  const double flops = 2.0 * kBatch * cout * cin * 9 * hw * hw;
  gg::bench::report_flops(state, flops * (pass == kForward ? 1 : 3));
  state.SetLabel(label(std::to_string(cin) + "->" + std::to_string(cout) + " @" + std::to_string(hw) + (down ? " down" : ""),
                       version, pass));
}

void BM_equalized_linear(benchmark::State& state) {
  const std::int64_t in = state.range(0), out = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const gg::EqualizedOptions o{.leaky_relu = true};
  const Op op = [version, o](const Inputs& v) {
    return version == kFused ? gg::equalized_linear(v[0], v[1], v[2], o) : gg::unfused::equalized_linear(v[0], v[1], v[2], o);
  };
  time_op(state, op, {random({kBatch, in}, 8), random({out, in}, 9), random({out}, 10)}, static_cast<Pass>(pass));
  gg::bench::report_flops(state, 2.0 * kBatch * in * out * (pass == kForward ? 1 : 3));
  state.SetLabel(label(std::to_string(in) + "->" + std::to_string(out), version, pass));
}

// Feature maps of a ProGAN at fmap_base 8192 / fmap_max 512 and of the 3-channel image.
void map_shapes(benchmark::internal::Benchmark* b) {
  for (auto [c, hw] : {std::pair{512, 8}, {256, 32}, {128, 64}})
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({c, hw, version, pass});
}

void stddev_shapes(benchmark::internal::Benchmark* b) {
  for (auto [c, hw] : {std::pair{512, 4}, {64, 32}})
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({c, hw, version, pass});
}

void fade_shapes(benchmark::internal::Benchmark* b) {
  for (auto [c, hw] : {std::pair{3, 64}, {256, 32}})
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({c, hw, version, pass});
}

void conv_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t shapes[][4] = {{512, 512, 8, 0}, {256, 256, 16, 0}, {128, 128, 32, 0}, {128, 256, 32, 1}, {64, 128, 64, 1}};
  for (const auto& s : shapes)
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({s[0], s[1], s[2], s[3], version, pass});
}

void linear_shapes(benchmark::internal::Benchmark* b) {
  for (auto [in, out] : {std::pair{512, 8192}, {8192, 512}})
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({in, out, version, pass});
}

}  // namespace

BENCHMARK(BM_pixel_norm)->Apply(map_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_minibatch_stddev)->Apply(stddev_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fade_in)->Apply(fade_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_equalized_conv2d)->Apply(conv_shapes)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_equalized_linear)->Apply(linear_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();

// ProGAN's kernels on CUDA (kernels/cuda/progan_*.cu), timed with CUDA events on the backend's
// stream, in two families:
// - BM_cuda_progan_kernel: each kernel of the table alone, f32, at the shapes of a batch-16
//   ProGAN step and at one large shape, rated in bytes/s against the bytes it must move (read its
//   inputs once, write its outputs once) and as a share of the device's memory bandwidth;
// - the fused ops (engine/ops_progan.h) against the compositions of basic ops that define them
//   (gg::unfused), forward alone and forward + backward through autograd, as bench_progan_ops.cpp
//   does on the CPU: both rated against the fused kernels' bytes (the convolutions and linear
//   layers against their GEMM FLOPs), so a composition's extra passes show as a lower rate. The
//   time includes what the host spends queueing the kernels: that is part of what fusing saves.
#include <array>
#include <functional>

#include "bench/bench_cuda_common.h"
#include "engine/ops_progan.h"
#include "engine/progan_backend.h"

namespace {

using gg::Shape;
using gg::Tensor;
using gg::bench_cuda::report_bytes;
using gg::bench_cuda::report_flops;
using gg::bench_cuda::time_on_device;
using Inputs = std::vector<Tensor>;
using Op = std::function<Tensor(const Inputs&)>;
constexpr double kF = sizeof(float);
constexpr std::int64_t kBatch = 16;

Tensor random(const Shape& shape, std::uint64_t seed) {
  gg::Generator gen(seed);
  return Tensor::randn(shape, gen, {gg::DType::f32, gg::bench_cuda::device()});
}
gg::ProganKernels& kernels() { return gg::progan_kernels_for(gg::bench_cuda::device(), "benchmark"); }

std::string shape_label(const Shape& s) {
  std::string out;
  for (std::int64_t d : s) out += (out.empty() ? "" : "x") + std::to_string(d);
  return out;
}

// ---- the kernels alone ----

enum Kernel : int {
  kPixelNorm,
  kPixelNormBackward,
  kStddev,
  kStddevBackward,
  kEpilogue,
  kLeakyReluBackward,
  kFadeIn
};
const char* const kKernelNames[] = {"pixel_norm_forward",        "pixel_norm_backward", "minibatch_stddev_forward",
                                    "minibatch_stddev_backward", "scale_bias_activate", "leaky_relu_backward",
                                    "fade_in"};

void BM_cuda_progan_kernel(benchmark::State& state) {
  const auto kernel = static_cast<Kernel>(state.range(0));
  const Shape shape = {state.range(1), state.range(2), state.range(3), state.range(4)};
  const Shape stddev_shape = {shape[0], shape[1] + 1, shape[2], shape[3]};
  const bool stddev = kernel == kStddev || kernel == kStddevBackward;
  const Tensor x = random(shape, 1), g = random(stddev ? stddev_shape : shape, 2), bias = random({shape[1]}, 3);
  // Random rather than empty: the epilogue works in place on it.
  const Tensor out = random(kernel == kStddev ? stddev_shape : shape, 4);
  const double n = static_cast<double>(x.numel()), wide = n * static_cast<double>(shape[1] + 1) / static_cast<double>(shape[1]);
  gg::ProganKernels& k = kernels();
  double bytes = 0;
  switch (kernel) {
    case kPixelNorm:
      time_on_device(state, [&] { k.pixel_norm_forward(x, out, 1e-8); });
      bytes = 2 * n;  // read x, write y
      break;
    case kPixelNormBackward:
      time_on_device(state, [&] { k.pixel_norm_backward(x, g, out, 1e-8); });
      bytes = 3 * n;  // read x and g, write gx
      break;
    case kStddev:
      time_on_device(state, [&] { k.minibatch_stddev_forward(x, out, 4); });
      bytes = n + wide;  // read x, write y (C + 1 channels)
      break;
    case kStddevBackward:
      time_on_device(state, [&] { k.minibatch_stddev_backward(x, g, out, 4); });
      bytes = n + wide + n;  // read x and gy, write gx
      break;
    case kEpilogue:
      time_on_device(state, [&] { k.scale_bias_activate(out, bias, 0.0589, true, 0.2); });
      bytes = 2 * n;  // in place: read and write y
      break;
    case kLeakyReluBackward:
      time_on_device(state, [&] { k.leaky_relu_backward(g, x, out, 0.2, 0.0589); });
      bytes = 3 * n;
      break;
    case kFadeIn:
      time_on_device(state, [&] { k.fade_in(x, g, out, 0.3); });
      bytes = 3 * n;
      break;
  }
  report_bytes(state, kF * bytes);
  state.SetLabel(std::string(kKernelNames[kernel]) + " " + shape_label(shape));
}

// ProGAN's maps at fmap_base 8192 / fmap_max 512: G's 4x4 and 8x8 blocks, the 32x32 and 64x64
// ones, and a large map far beyond the L2 cache (64 MiB of f32).
void kernel_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t maps[][4] = {{kBatch, 512, 4, 4}, {kBatch, 512, 8, 8}, {kBatch, 256, 32, 32},
                                  {kBatch, 128, 64, 64}, {kBatch, 64, 128, 128}};
  for (int k : {kPixelNorm, kPixelNormBackward, kEpilogue, kLeakyReluBackward, kFadeIn})
    for (const auto& m : maps) b->Args({k, m[0], m[1], m[2], m[3]});
  // Minibatch stddev runs in D's 4x4 block only; a larger map shows the kernels' rate.
  for (int k : {kStddev, kStddevBackward})
    for (const auto& m : {std::array<std::int64_t, 4>{kBatch, 512, 4, 4}, {kBatch, 64, 32, 32}})
      b->Args({k, m[0], m[1], m[2], m[3]});
}

// ---- fused ops against their compositions ----

enum Version : int { kUnfused, kFused };
enum Pass : int { kForward, kForwardBackward };

// Times op(inputs) on the device; with kForwardBackward also the gradient of every input for a
// fixed output gradient.
void time_op(benchmark::State& state, const Op& op, Inputs inputs, Pass pass) {
  for (Tensor& t : inputs) t.set_requires_grad(pass == kForwardBackward);
  const Tensor grad_out = random(op(inputs).shape(), 99);
  time_on_device(state, [&] {
    if (pass == kForward) {
      gg::NoGrad no_grad;
      benchmark::DoNotOptimize(op(inputs).raw_data());
    } else {
      benchmark::DoNotOptimize(gg::grad({op(inputs)}, inputs, {grad_out}).front().raw_data());
    }
  });
}

std::string label(const std::string& shape, int version, int pass) {
  return shape + (version == kFused ? " fused" : " unfused") + (pass == kForward ? " forward" : " forward+backward");
}

void BM_cuda_pixel_norm(benchmark::State& state) {
  const Shape shape = {kBatch, state.range(0), state.range(1), state.range(1)};
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) { return version == kFused ? gg::pixel_norm(v[0]) : gg::unfused::pixel_norm(v[0]); };
  const Tensor x = random(shape, 1);
  time_op(state, op, {x}, static_cast<Pass>(pass));
  report_bytes(state, kF * static_cast<double>(x.numel()) * (pass == kForward ? 2 : 5));
  state.SetLabel(label(shape_label(shape), version, pass));
}

void BM_cuda_minibatch_stddev(benchmark::State& state) {
  const Shape shape = {kBatch, state.range(0), state.range(1), state.range(1)};
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) {
    return version == kFused ? gg::minibatch_stddev(v[0]) : gg::unfused::minibatch_stddev(v[0]);
  };
  const Tensor x = random(shape, 2);
  time_op(state, op, {x}, static_cast<Pass>(pass));
  const double x_bytes = kF * static_cast<double>(x.numel());
  const double y_bytes = x_bytes * static_cast<double>(shape[1] + 1) / static_cast<double>(shape[1]);
  report_bytes(state, pass == kForward ? x_bytes + y_bytes : 3 * x_bytes + 2 * y_bytes);
  state.SetLabel(label(shape_label(shape), version, pass));
}

void BM_cuda_fade_in(benchmark::State& state) {
  const Shape shape = {kBatch, state.range(0), state.range(1), state.range(1)};
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const Op op = [version](const Inputs& v) {
    return version == kFused ? gg::fade_in(0.3, v[0], v[1]) : gg::unfused::fade_in(0.3, v[0], v[1]);
  };
  const Tensor a = random(shape, 3), b = random(shape, 4);
  time_op(state, op, {a, b}, static_cast<Pass>(pass));
  report_bytes(state, kF * static_cast<double>(a.numel()) * (pass == kForward ? 3 : 6));
  state.SetLabel(label(shape_label(shape), version, pass));
}

void BM_cuda_equalized_conv2d(benchmark::State& state) {
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
  report_flops(state, flops * (pass == kForward ? 1 : 3));
  state.SetLabel(label(std::to_string(cin) + "->" + std::to_string(cout) + " @" + std::to_string(hw) + (down ? " down" : ""),
                       version, pass));
}

void BM_cuda_equalized_linear(benchmark::State& state) {
  const std::int64_t in = state.range(0), out = state.range(1);
  const int version = static_cast<int>(state.range(2)), pass = static_cast<int>(state.range(3));
  const gg::EqualizedOptions o{.leaky_relu = true};
  const Op op = [version, o](const Inputs& v) {
    return version == kFused ? gg::equalized_linear(v[0], v[1], v[2], o) : gg::unfused::equalized_linear(v[0], v[1], v[2], o);
  };
  time_op(state, op, {random({kBatch, in}, 8), random({out, in}, 9), random({out}, 10)}, static_cast<Pass>(pass));
  report_flops(state, 2.0 * kBatch * in * out * (pass == kForward ? 1 : 3));
  state.SetLabel(label(std::to_string(in) + "->" + std::to_string(out), version, pass));
}

template <typename Shapes>
void versions(benchmark::internal::Benchmark* b, const Shapes& shapes) {
  for (const auto& [c, hw] : shapes)
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({c, hw, version, pass});
}

void map_shapes(benchmark::internal::Benchmark* b) {
  versions(b, std::vector<std::pair<std::int64_t, std::int64_t>>{{512, 8}, {256, 32}, {128, 64}});
}
void stddev_shapes(benchmark::internal::Benchmark* b) {
  versions(b, std::vector<std::pair<std::int64_t, std::int64_t>>{{512, 4}, {64, 32}});
}
void fade_shapes(benchmark::internal::Benchmark* b) {
  versions(b, std::vector<std::pair<std::int64_t, std::int64_t>>{{3, 64}, {256, 32}});
}

void conv_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t shapes[][4] = {{512, 512, 8, 0}, {256, 256, 16, 0}, {128, 128, 32, 0}, {128, 256, 32, 1}, {64, 128, 64, 1}};
  for (const auto& s : shapes)
    for (int pass : {kForward, kForwardBackward})
      for (int version : {kUnfused, kFused}) b->Args({s[0], s[1], s[2], s[3], version, pass});
}

void linear_shapes(benchmark::internal::Benchmark* b) {
  versions(b, std::vector<std::pair<std::int64_t, std::int64_t>>{{512, 8192}, {8192, 512}});
}

}  // namespace

BENCHMARK(BM_cuda_progan_kernel)->Apply(kernel_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cuda_pixel_norm)->Apply(map_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cuda_minibatch_stddev)->Apply(stddev_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cuda_fade_in)->Apply(fade_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cuda_equalized_conv2d)->Apply(conv_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_cuda_equalized_linear)->Apply(linear_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);
GG_CUDA_BENCHMARK_MAIN();

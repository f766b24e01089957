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

#include "bench/bench_cuda_common.h"
#include "bench/progan_op_cases.h"
#include "engine/ops_progan.h"
#include "engine/progan_backend.h"

namespace {

using gg::Shape;
using gg::Tensor;
using gg::bench_cuda::report_bytes;
using gg::bench_cuda::time_on_device;
using gg::bench::progan_ops::kBatch;
using gg::bench::progan_ops::kF;

Tensor device_random(const Shape& shape, std::uint64_t seed) {
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
  const Tensor x = device_random(shape, 1), g = device_random(stddev ? stddev_shape : shape, 2), bias = device_random({shape[1]}, 3);
  // Random rather than empty: the epilogue works in place on it.
  const Tensor out = device_random(kernel == kStddev ? stddev_shape : shape, 4);
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

// ---- fused ops against their compositions (bench/progan_op_cases.h) ----

struct CudaEnv {
  static Tensor random(const Shape& shape, std::uint64_t seed) { return device_random(shape, seed); }
  template <class F>
  static void time(benchmark::State& state, F&& body) {
    time_on_device(state, body);
  }
  static void report_bytes(benchmark::State& state, double bytes) { gg::bench_cuda::report_bytes(state, bytes); }
  static void report_flops(benchmark::State& state, double flops) { gg::bench_cuda::report_flops(state, flops); }
};

}  // namespace

BENCHMARK(BM_cuda_progan_kernel)->Apply(kernel_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  gg::bench::progan_ops::register_cases<CudaEnv>("cuda_", /*manual_time=*/true);
  return gg::bench_cuda::run_benchmarks(argc, argv);
}

// conv2d 3x3 (stride 1, pad 1) through cuDNN at ProGAN's shapes, batch 16: forward, each backward
// pass and a whole step, in FLOP/s and as a share of the device's f32 peak. The last argument
// picks the algorithm choice: deterministic heuristics (the default) or the fastest by timing.
#include "bench/bench_cuda_common.h"
#include "kernels/cuda/cuda_settings.h"

namespace {

enum Pass : int { kForward, kBackwardInput, kBackwardWeight, kForwardBackward };

void BM_cuda_conv2d(benchmark::State& state) {
  const std::int64_t cin = state.range(0), cout = state.range(1), size = state.range(2);
  const auto pass = static_cast<Pass>(state.range(3));
  const bool deterministic = state.range(4) == 0;
  gg::cuda_settings().deterministic = deterministic;
  constexpr std::int64_t kBatch = 16;
  gg::Generator gen(3);
  const gg::TensorOptions opt{gg::DType::f32, gg::bench_cuda::device()};
  const gg::Tensor x = gg::Tensor::randn({kBatch, cin, size, size}, gen, opt);
  const gg::Tensor w = gg::Tensor::randn({cout, cin, 3, 3}, gen, opt);
  const gg::Tensor gy = gg::Tensor::randn({kBatch, cout, size, size}, gen, opt);
  const gg::ConvGeometry g = gg::make_conv_geometry(kBatch, cin, size, size, cout, 3, 3, 1, 1);
  const gg::Tensor y = gg::Tensor::empty(gy.shape(), opt), gx = gg::Tensor::empty(x.shape(), opt),
                   gw = gg::Tensor::empty(w.shape(), opt);
  gg::Backend& be = gg::bench_cuda::backend();
  gg::bench_cuda::time_on_device(state, [&] {
    if (pass == kForward || pass == kForwardBackward) be.conv2d_forward(x, w, y, g);
    if (pass == kBackwardInput || pass == kForwardBackward) be.conv2d_backward_input(gy, w, gx, g);
    if (pass == kBackwardWeight || pass == kForwardBackward) be.conv2d_backward_weight(x, gy, gw, g);
  });
  gg::cuda_settings().deterministic = true;
  gg::bench_cuda::report_flops(state, g.flops() * (pass == kForwardBackward ? 3 : 1));
  static const char* names[] = {"forward", "backward_input", "backward_weight", "forward+backward"};
  state.SetLabel(std::to_string(cin) + "->" + std::to_string(cout) + " @" + std::to_string(size) + "x" +
                 std::to_string(size) + " " + names[pass] + (deterministic ? " deterministic" : " fastest"));
}

void progan_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t shapes[][3] = {{256, 256, 8}, {256, 256, 16}, {256, 128, 32}, {128, 128, 32}, {64, 64, 64}};
  for (int mode : {0, 1})
    for (const auto& s : shapes)
      for (int pass : {kForward, kBackwardInput, kBackwardWeight, kForwardBackward})
        b->Args({s[0], s[1], s[2], pass, mode});
}

}  // namespace

BENCHMARK(BM_cuda_conv2d)->Apply(progan_shapes)->UseManualTime()->Unit(benchmark::kMillisecond);
GG_CUDA_BENCHMARK_MAIN();

// conv2d at ProGAN's shapes, batch 16: 3x3 (stride 1, pad 1) and the discriminator's fused
// downscale (4x4, stride 2, pad 1); forward, each backward pass, and a whole forward + backward
// step, with FLOP/s and the share of the sgemm roofline.
#include "bench/roofline.h"
#include "engine/backend.h"
#include "engine/ops.h"

namespace {

enum Pass : int { kForward, kBackwardInput, kBackwardWeight, kForwardBackward };

// range(4): 0 for 3x3 stride 1 pad 1, 1 for 4x4 stride 2 pad 1 (D's conv1_down).
void BM_conv2d(benchmark::State& state) {
  const std::int64_t cin = state.range(0), cout = state.range(1), size = state.range(2);
  const auto pass = static_cast<Pass>(state.range(3));
  const bool down = state.range(4) == 1;
  const int kernel = down ? 4 : 3, stride = down ? 2 : 1;
  constexpr std::int64_t kBatch = 16;
  gg::Generator gen(3);
  const gg::ConvGeometry g = gg::make_conv_geometry(kBatch, cin, size, size, cout, kernel, kernel, stride, 1);
  const gg::Tensor x = gg::Tensor::randn({kBatch, cin, size, size}, gen);
  const gg::Tensor w = gg::Tensor::randn({cout, cin, kernel, kernel}, gen);
  const gg::Tensor gy = gg::Tensor::randn({kBatch, cout, g.p, g.q}, gen);
  gg::Tensor y = gg::Tensor::empty(gy.shape()), gx = gg::Tensor::empty(x.shape()), gw = gg::Tensor::empty(w.shape());
  gg::Backend& be = gg::cpu_backend();
  for (auto _ : state) {
    if (pass == kForward || pass == kForwardBackward) be.conv2d_forward(x, w, y, g);
    if (pass == kBackwardInput || pass == kForwardBackward) be.conv2d_backward_input(gy, w, gx, g);
    if (pass == kBackwardWeight || pass == kForwardBackward) be.conv2d_backward_weight(x, gy, gw, g);
    benchmark::ClobberMemory();
  }
  gg::bench::report_flops(state, g.flops() * (pass == kForwardBackward ? 3 : 1));
  static const char* names[] = {"forward", "backward_input", "backward_weight", "forward+backward"};
  state.SetLabel(std::to_string(cin) + "->" + std::to_string(cout) + " @" + std::to_string(size) + "x" +
                 std::to_string(size) + (down ? " 4x4/2 " : " ") + names[pass]);
}

void progan_shapes(benchmark::internal::Benchmark* b) {
  const std::int64_t shapes[][3] = {{256, 256, 8}, {256, 256, 16}, {256, 128, 32}, {128, 128, 32}, {64, 64, 64}};
  for (const auto& s : shapes)
    for (int pass : {kForward, kBackwardInput, kBackwardWeight, kForwardBackward}) b->Args({s[0], s[1], s[2], pass, 0});
  // The discriminator's conv1_down at 64x64 and 32x32 (fmap_base 2048, fmap_max 256).
  const std::int64_t down_shapes[][3] = {{64, 128, 64}, {128, 256, 32}};
  for (const auto& s : down_shapes)
    for (int pass : {kForward, kBackwardInput, kBackwardWeight, kForwardBackward}) b->Args({s[0], s[1], s[2], pass, 1});
}

}  // namespace

BENCHMARK(BM_conv2d)->Apply(progan_shapes)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

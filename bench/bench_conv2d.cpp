// conv2d at ProGAN's shapes, batch 16 (bench/conv_cases.h): 3x3 (stride 1, pad 1) and the
// discriminator's fused downscale (4x4, stride 2, pad 1); forward, each backward pass, and a whole
// forward + backward step, with FLOP/s and the share of the sgemm roofline.
#include "bench/conv_cases.h"
#include "bench/roofline.h"
#include "engine/random.h"

namespace {

using namespace gg::bench;

void conv2d(benchmark::State& state, const ConvCase& c, ConvPass pass) {
  const gg::ConvGeometry g = c.geometry(kConvBatch);
  gg::Generator gen(3);
  const gg::Tensor x = gg::Tensor::randn({g.n, g.c, g.h, g.w}, gen);
  const gg::Tensor w = gg::Tensor::randn({g.k, g.c, g.r, g.s}, gen);
  const gg::Tensor gy = gg::Tensor::randn({g.n, g.k, g.p, g.q}, gen);
  const gg::Tensor y = gg::Tensor::empty(gy.shape()), gx = gg::Tensor::empty(x.shape()), gw = gg::Tensor::empty(w.shape());
  for (auto _ : state) {
    run_conv_pass(gg::cpu_backend(), pass, g, x, w, gy, y, gx, gw);
    benchmark::ClobberMemory();
  }
  report_flops(state, conv_pass_flops(g, pass));
}

}  // namespace

int main(int argc, char** argv) {
  for (const ConvCase& c : kProganConvs)
    for (ConvPass pass : kConvPasses)
      benchmark::RegisterBenchmark(("conv2d/" + c.name(pass)).c_str(), conv2d, c, pass)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

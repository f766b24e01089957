// conv2d through cuDNN at ProGAN's shapes, batch 16 (bench/conv_cases.h, the CPU benchmark's
// cases): forward, each backward pass and a whole step, in FLOP/s and as a share of the device's
// f32 peak. The name's last part is the algorithm choice: deterministic heuristics (the
// default) or the fastest by timing.
#include "bench/bench_cuda_common.h"
#include "bench/conv_cases.h"
#include "kernels/cuda/cuda_settings.h"

namespace {

using namespace gg::bench;

void cuda_conv2d(benchmark::State& state, const ConvCase& c, ConvPass pass, bool deterministic) {
  gg::cuda_settings().deterministic = deterministic;
  const gg::ConvGeometry g = c.geometry(kConvBatch);
  gg::Generator gen(3);
  const gg::TensorOptions opt{gg::DType::f32, gg::bench_cuda::device()};
  const gg::Tensor x = gg::Tensor::randn({g.n, g.c, g.h, g.w}, gen, opt);
  const gg::Tensor w = gg::Tensor::randn({g.k, g.c, g.r, g.s}, gen, opt);
  const gg::Tensor gy = gg::Tensor::randn({g.n, g.k, g.p, g.q}, gen, opt);
  const gg::Tensor y = gg::Tensor::empty(gy.shape(), opt), gx = gg::Tensor::empty(x.shape(), opt),
                   gw = gg::Tensor::empty(w.shape(), opt);
  gg::Backend& be = gg::bench_cuda::backend();
  gg::bench_cuda::time_on_device(state, [&] { run_conv_pass(be, pass, g, x, w, gy, y, gx, gw); });
  gg::cuda_settings().deterministic = true;
  gg::bench_cuda::report_flops(state, conv_pass_flops(g, pass));
}

}  // namespace

int main(int argc, char** argv) {
  for (bool deterministic : {true, false})
    for (const ConvCase& c : kProganConvs)
      for (ConvPass pass : kConvPasses)
        benchmark::RegisterBenchmark(
            ("cuda_conv2d/" + c.name(pass) + (deterministic ? "/deterministic" : "/fastest")).c_str(), cuda_conv2d, c,
            pass, deterministic)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
  return gg::bench_cuda::run_benchmarks(argc, argv);
}

// conv2d at ProGAN's shapes, batch 16 (bench/conv_cases.h): 3x3 (stride 1, pad 1), the
// discriminator's fused downscale (4x4, stride 2, pad 1) and the 3-channel 1x1 layers; forward,
// each backward pass, and a whole forward + backward step, with FLOP/s and the share of the sgemm
// roofline. The name's last part is the path (kernels/cpu/conv2d.h): "backend" is what the CPU
// backend runs (its per-shape choice, named in the label), then each path forced.
#include <optional>
#include <string>

#include "bench/conv_cases.h"
#include "bench/roofline.h"
#include "engine/random.h"
#include "kernels/cpu/conv2d.h"

namespace {

using namespace gg::bench;
using gg::cpu::ConvPath;

void run_path(ConvPath path, ConvPass pass, const gg::ConvGeometry& g, const gg::Tensor& x, const gg::Tensor& w,
              const gg::Tensor& gy, const gg::Tensor& y, const gg::Tensor& gx, const gg::Tensor& gw) {
  if (pass == kForward || pass == kForwardBackward) gg::cpu::conv2d_forward(path, x, w, y, g);
  if (pass == kBackwardInput || pass == kForwardBackward) gg::cpu::conv2d_backward_input(path, gy, w, gx, g);
  if (pass == kBackwardWeight || pass == kForwardBackward) gg::cpu::conv2d_backward_weight(path, x, gy, gw, g);
}

// The backend's choice for each pass of a case, e.g. "dnnl_blocked" or "im2col+dnnl_blocked+im2col".
std::string backend_choice(const gg::ConvGeometry& g, ConvPass pass) {
  using gg::cpu::ConvPass;
  auto name = [&](ConvPass p) { return std::string(gg::cpu::conv_path_name(gg::cpu::conv2d_path(g, p, gg::DType::f32))); };
  switch (pass) {
    case kForward: return name(ConvPass::kForward);
    case kBackwardInput: return name(ConvPass::kBackwardInput);
    case kBackwardWeight: return name(ConvPass::kBackwardWeight);
    case kForwardBackward: break;
  }
  return name(ConvPass::kForward) + "+" + name(ConvPass::kBackwardInput) + "+" + name(ConvPass::kBackwardWeight);
}

// path empty: through the CPU backend.
void conv2d(benchmark::State& state, const ConvCase& c, ConvPass pass, std::optional<ConvPath> path) {
  const gg::ConvGeometry g = c.geometry(kConvBatch);
  gg::Generator gen(3);
  const gg::Tensor x = gg::Tensor::randn({g.n, g.c, g.h, g.w}, gen);
  const gg::Tensor w = gg::Tensor::randn({g.k, g.c, g.r, g.s}, gen);
  const gg::Tensor gy = gg::Tensor::randn({g.n, g.k, g.p, g.q}, gen);
  const gg::Tensor y = gg::Tensor::empty(gy.shape()), gx = gg::Tensor::empty(x.shape()), gw = gg::Tensor::empty(w.shape());
  for (auto _ : state) {
    if (path)
      run_path(*path, pass, g, x, w, gy, y, gx, gw);
    else
      run_conv_pass(gg::cpu_backend(), pass, g, x, w, gy, y, gx, gw);
    benchmark::ClobberMemory();
  }
  if (!path) state.SetLabel(backend_choice(g, pass));
  report_flops(state, conv_pass_flops(g, pass));
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<ConvPath> paths[] = {std::nullopt, ConvPath::kIm2col, ConvPath::kDnnlPlain, ConvPath::kDnnlBlocked,
                                           ConvPath::kPointwise};
  for (const ConvCase& c : kProganConvs)
    for (ConvPass pass : kConvPasses)
      for (const std::optional<ConvPath>& path : paths) {
        if (path && !gg::cpu::conv2d_path_supports(*path, c.geometry(kConvBatch), gg::DType::f32)) continue;
        const std::string name = "conv2d/" + c.name(pass) + "/" + (path ? gg::cpu::conv_path_name(*path) : "backend");
        benchmark::RegisterBenchmark(name.c_str(), conv2d, c, pass, path)->UseRealTime()->Unit(benchmark::kMillisecond);
      }
  return gg::bench::run_benchmarks(argc, argv);
}

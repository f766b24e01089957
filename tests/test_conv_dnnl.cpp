// The CPU backend's oneDNN and pointwise convolution paths (kernels/cpu/conv2d.h) against the
// im2col path in double, for every pass and the geometries ProGAN's networks use; their run-to-run
// bit reproducibility; the backend's choice of path; and the profiler's per-shape rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/ops.h"
#include "engine/profiler.h"
#include "kernels/cpu/conv2d.h"
#include "tests/testing.h"

using namespace gg;
using cpu::ConvPass;
using cpu::ConvPath;

namespace {

struct ConvCaseDnnl {
  std::int64_t n, c, h, w, k, r;
  int stride, pad;

  ConvGeometry geometry() const { return make_conv_geometry(n, c, h, w, k, r, r, stride, pad); }
};

// ProGAN's shapes (batch cut where the maps are large, to keep the double reference quick), the
// 257-channel input after minibatch stddev, channel counts that are not multiples of oneDNN's
// blocks of 16, and odd sizes with strides.
const std::vector<ConvCaseDnnl> kCases = {
    {16, 256, 4, 4, 256, 3, 1, 1},  {16, 257, 4, 4, 256, 3, 1, 1},  {16, 256, 8, 8, 256, 3, 1, 1},
    {4, 256, 16, 16, 256, 3, 1, 1}, {4, 256, 32, 32, 128, 3, 1, 1}, {2, 64, 64, 64, 64, 3, 1, 1},
    {16, 256, 8, 8, 256, 4, 2, 1},  {4, 64, 64, 64, 128, 4, 2, 1},  {8, 128, 32, 32, 256, 4, 2, 1},
    {16, 3, 32, 32, 128, 1, 1, 0},  {16, 128, 32, 32, 3, 1, 1, 0},  {4, 3, 64, 64, 64, 1, 1, 0},
    {4, 64, 64, 64, 3, 1, 1, 0},    {3, 5, 9, 11, 7, 3, 1, 1},      {2, 6, 7, 9, 5, 3, 2, 1},
    {2, 20, 8, 8, 18, 5, 1, 2},     {5, 17, 6, 6, 33, 4, 2, 1}};

struct Operands {
  Tensor x, w, gy;  // f64
};

Operands operands(const ConvGeometry& g, std::uint64_t seed) {
  return {testing::random_f64({g.n, g.c, g.h, g.w}, seed), testing::random_f64({g.k, g.c, g.r, g.s}, seed + 1),
          testing::random_f64({g.n, g.k, g.p, g.q}, seed + 2)};
}

// The three passes on `path` in f32, or on im2col in f64 (the reference).
struct Results {
  Tensor y, gx, gw;
};

Results run(ConvPath path, const ConvGeometry& g, const Operands& o, DType dtype) {
  const Tensor x = o.x.to(dtype), w = o.w.to(dtype), gy = o.gy.to(dtype);
  const TensorOptions opt{dtype, Device::cpu()};
  Results r{Tensor::full(gy.shape(), NAN, opt), Tensor::full(x.shape(), NAN, opt), Tensor::full(w.shape(), NAN, opt)};
  cpu::conv2d_forward(path, x, w, r.y, g);
  cpu::conv2d_backward_input(path, gy, w, r.gx, g);
  cpu::conv2d_backward_weight(path, x, gy, r.gw, g);
  return r;
}

bool bit_identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data<float>(), b.data<float>(), sizeof(float) * static_cast<std::size_t>(a.numel())) == 0;
}

// f32 sums of `terms` unit-variance products: the error grows like sqrt(terms) ulps of the sum.
double tolerance(std::int64_t terms) { return 2e-5 * std::sqrt(static_cast<double>(terms)); }

}  // namespace

TEST_CASE("conv dnnl: both oneDNN paths and the pointwise one match the im2col double reference in every pass") {
  for (const ConvCaseDnnl& c : kCases) {
    const ConvGeometry g = c.geometry();
    CAPTURE(g.n);
    CAPTURE(g.c);
    CAPTURE(g.k);
    CAPTURE(g.h);
    CAPTURE(g.r);
    CAPTURE(g.stride);
    const Operands o = operands(g, 21);
    const Results ref = run(ConvPath::kIm2col, g, o, DType::f64);
    const bool pointwise = cpu::conv2d_path_supports(ConvPath::kPointwise, g, DType::f32);
    CHECK(pointwise == (c.r == 1 && c.stride == 1 && c.pad == 0));
    if (pointwise) {
      // In double the direct loops give the reference's sums to rounding.
      const Results exact = run(ConvPath::kPointwise, g, o, DType::f64);
      testing::check_close(exact.y, ref.y, 1e-12, 1e-12);
      testing::check_close(exact.gx, ref.gx, 1e-12, 1e-12);
      testing::check_close(exact.gw, ref.gw, 1e-12, 1e-12);
    }
    for (ConvPath path : {ConvPath::kDnnlPlain, ConvPath::kDnnlBlocked, ConvPath::kPointwise}) {
      if (path == ConvPath::kPointwise && !pointwise) continue;
      CAPTURE(cpu::conv_path_name(path));
      REQUIRE(cpu::conv2d_path_supports(path, g, DType::f32));
      const Results got = run(path, g, o, DType::f32);
      // Relative tolerance too: a few outputs of the weight gradient are large.
      testing::check_close(got.y, ref.y, tolerance(g.gemm_k()), 1e-5);
      testing::check_close(got.gx, ref.gx, tolerance(g.k * g.r * g.s), 1e-5);
      testing::check_close(got.gw, ref.gw, tolerance(g.n * g.out_pixels()), 1e-5);
    }
  }
}

TEST_CASE("conv dnnl: every pass is bit-identical from call to call") {
  for (const ConvCaseDnnl& c : {kCases[2], kCases[5], kCases[7], kCases[11], kCases[16]}) {
    const ConvGeometry g = c.geometry();
    CAPTURE(g.c);
    CAPTURE(g.h);
    const Operands o = operands(g, 31);
    for (ConvPath path : {ConvPath::kDnnlPlain, ConvPath::kDnnlBlocked, ConvPath::kPointwise}) {
      if (!cpu::conv2d_path_supports(path, g, DType::f32)) continue;
      CAPTURE(cpu::conv_path_name(path));
      const Results a = run(path, g, o, DType::f32);
      // Another geometry in between, so that the scratch and the caches are reused for something else.
      const ConvGeometry other = (path == ConvPath::kPointwise ? kCases[12] : kCases[0]).geometry();
      run(path, other, operands(other, 5), DType::f32);
      const Results b = run(path, g, o, DType::f32);
      CHECK(bit_identical(a.y, b.y));
      CHECK(bit_identical(a.gx, b.gx));
      CHECK(bit_identical(a.gw, b.gw));
    }
  }
}

TEST_CASE("conv dnnl: the backend takes im2col for f64 and for geometries oneDNN cannot run") {
  const ConvGeometry g = kCases[2].geometry();
  for (ConvPass pass : {ConvPass::kForward, ConvPass::kBackwardInput, ConvPass::kBackwardWeight}) {
    CHECK(cpu::conv2d_path(g, pass, DType::f64) == ConvPath::kIm2col);
    CHECK(cpu::conv2d_path_supports(cpu::conv2d_path(g, pass, DType::f32), g, DType::f32));
  }
  CHECK_FALSE(cpu::conv2d_path_supports(ConvPath::kDnnlBlocked, g, DType::f64));
  // toRGB / fromRGB: the pointwise path in f32, im2col (the reference) in f64.
  for (const ConvCaseDnnl& rgb : {kCases[9], kCases[10]}) {
    CHECK(cpu::conv2d_path(rgb.geometry(), ConvPass::kForward, DType::f32) == ConvPath::kPointwise);
    CHECK(cpu::conv2d_path(rgb.geometry(), ConvPass::kForward, DType::f64) == ConvPath::kIm2col);
  }
  // A 1x1 stride-2 convolution of an even size skips the last row: negative right padding for oneDNN.
  const ConvGeometry skip = make_conv_geometry(2, 4, 8, 8, 4, 1, 1, 2, 0);
  CHECK_FALSE(cpu::conv2d_path_supports(ConvPath::kDnnlPlain, skip, DType::f32));
  CHECK(cpu::conv2d_path(skip, ConvPass::kForward, DType::f32) == ConvPath::kIm2col);
  const Operands o = operands(skip, 41);
  const Tensor y = Tensor::empty({2, 4, 4, 4});
  CHECK_THROWS_WITH_AS(cpu::conv2d_forward(ConvPath::kDnnlBlocked, o.x.to(DType::f32), o.w.to(DType::f32), y, skip),
                       doctest::Contains("conv2d_forward: the dnnl_blocked path cannot run"), std::invalid_argument);
  // Through the op, in f32, the fallback gives the reference.
  const Tensor ref = conv2d(o.x, o.w, {}, {2, 0});
  testing::check_close(conv2d(o.x.to(DType::f32), o.w.to(DType::f32), {}, {2, 0}), ref, 1e-4, 1e-5);
}

TEST_CASE("conv dnnl: the profiler counts convolutions per shape with their FLOPs") {
  Generator gen(1);
  const Tensor x = Tensor::randn({2, 3, 8, 8}, gen), w = Tensor::randn({4, 3, 3, 3}, gen);
  KernelProfiler::reset();
  KernelProfiler::set_enabled(true);
  conv2d(x, w, {}, {1, 1});
  conv2d(x, w, {}, {1, 1});
  conv2d(x, Tensor::randn({5, 3, 4, 4}, gen), {}, {2, 1});
  KernelProfiler::set_enabled(false);
  const std::vector<KernelTime> rows = KernelProfiler::detail_totals();
  const auto find = [&](const std::string& name) {
    return std::find_if(rows.begin(), rows.end(), [&](const KernelTime& r) { return r.name == name; });
  };
  const auto same = find("conv2d_forward n2 3->4 @8x8 3x3/1 p1"), down = find("conv2d_forward n2 3->5 @8x8 4x4/2 p1");
  REQUIRE(same != rows.end());
  REQUIRE(down != rows.end());
  CHECK(same->calls == 2);
  CHECK(same->flops == 2 * make_conv_geometry(2, 3, 8, 8, 4, 3, 3, 1, 1).flops());
  CHECK(down->calls == 1);
  CHECK(KernelProfiler::table().find("conv2d_forward n2 3->5 @8x8 4x4/2 p1") != std::string::npos);
  KernelProfiler::reset();
  CHECK(KernelProfiler::detail_totals().empty());
}

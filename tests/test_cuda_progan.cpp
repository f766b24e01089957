// ProGAN's kernels on CUDA (kernels/cuda/progan_*.cu) against the CPU: every kernel of the table,
// each op forward and through its fused backward, the double backward through the ops as WGAN-GP's
// gradient penalty takes it, f32 and f64, and one WGAN-GP iteration of a tiny ProGAN. The GPU
// tests are skipped (visibly) without a device; the CPU replays of the CUDA summation orders
// (kernels/common/progan_replay.h) and the dispatch are tested everywhere.
//
// Tolerances, and why:
//   exact:  the epilogue, leaky ReLU's backward and fade-in (one thread per element running the
//           shared math of kernels/common/progan_math.h, whose multiply-adds are explicit FMAs,
//           so both backends round the same IEEE steps); pixel norm and minibatch stddev against
//           the CPU replay of the GPU's own order; two runs on the GPU.
//   sums:   pixel norm and minibatch stddev against the CPU kernels, which add in another order:
//           the statistics (in double) differ in their last bits, which moves an f32 result by at
//           most an ulp (rtol 2.4e-7 allows two) and an f64 one by a few (1e-13).
//   composite f32 1e-5, f64 1e-12: the recorded backward of the double-backward path (means,
//           rsqrt and products on the generic kernels, summed in other orders).
//   blas f32 2e-4, f64 1e-11: through cuDNN convolutions and cuBLAS GEMMs; f32 1e-3, f64 1e-10
//           for their gradients of gradients (as tests/test_cuda_training.cpp's penalty).
#include "data/dataset.h"
#include "engine/ops_progan.h"
#include "engine/progan_backend.h"
#include "kernels/common/progan_replay.h"
#include "nets/progan_trainer.h"
#include "tests/test_cuda_helpers.h"

using namespace gg;
using cuda_testing::check_against_cpu;
using cuda_testing::gpu;
using In = std::vector<Tensor>;

namespace {

using cuda_testing::blas;
using cuda_testing::composite;
using cuda_testing::Tolerance;

Tolerance sums(DType dt) { return dt == DType::f32 ? Tolerance{1e-12, 2.4e-7} : Tolerance{1e-13, 1e-13}; }
Tolerance blas_second_order(DType dt) { return dt == DType::f32 ? Tolerance{1e-3, 1e-3} : Tolerance{1e-10, 1e-10}; }

const DType kDtypes[] = {DType::f32, DType::f64};

Tensor input(const Shape& shape, std::uint64_t seed, DType dt) { return gg::testing::random_f64(shape, seed).to(dt); }

void check_op(const cuda_testing::Fn& f, const In& inputs, Tolerance tol) {
  check_against_cpu(f, inputs, tol.atol, tol.rtol);
}

// Bit-for-bit equality in the tensor's own dtype.
void check_identical(const Tensor& actual, const Tensor& expected) {
  if (expected.dtype() == DType::f32)
    cuda_testing::check_identical<float>(actual, expected);
  else
    cuda_testing::check_identical<double>(actual, expected);
}

// Pixel-norm layouts: ProGAN's maps (several splits per position), G's latent (inner 1), uneven
// splits, and few channels (one split: the CPU's own order).
const Shape kPixelNormShapes[] = {{16, 512, 4, 4}, {16, 512}, {4, 300, 17, 1}, {2, 64, 32, 32}, {3, 5, 6, 6}};

struct StddevCase {
  Shape shape;
  int group;
};
// D's 4x4 block (F = 8192: many chunks), uneven chunks, and every grouping of a small batch.
const StddevCase kStddevCases[] = {{{16, 512, 4, 4}, 4}, {{4, 33, 8, 8}, 4}, {{8, 5, 6, 6}, 2},
                                   {{8, 5, 6, 6}, 1},    {{8, 5, 6, 6}, 8},  {{16, 3, 2, 2}, 16}};

PixelNormPlan pixel_norm_plan(const Shape& s) {
  const std::int64_t inner = s.size() == 4 ? s[2] * s[3] : 1;
  return make_pixel_norm_plan(s[0], s[1], inner);
}

Shape stddev_out_shape(const Shape& s) { return {s[0], s[1] + 1, s[2], s[3]}; }

// The CPU replays as tensor functions, on CPU tensors.
Tensor replayed_pixel_norm(const Tensor& x, double eps) {
  const Tensor y = Tensor::empty(x.shape(), x.options());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    replay_pixel_norm_forward(pixel_norm_plan(x.shape()), x.data<T>(), y.data<T>(), eps);
  });
  return y;
}

Tensor replayed_pixel_norm_backward(const Tensor& x, const Tensor& g, double eps) {
  const Tensor gx = Tensor::empty(x.shape(), x.options());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    replay_pixel_norm_backward(pixel_norm_plan(x.shape()), x.data<T>(), g.data<T>(), gx.data<T>(), eps);
  });
  return gx;
}

StddevPlan stddev_plan(const Shape& s, int group) { return make_stddev_plan(s[0], s[1], s[2], s[3], group); }

Tensor replayed_stddev(const Tensor& x, int group) {
  const Tensor y = Tensor::empty(stddev_out_shape(x.shape()), x.options());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    replay_minibatch_stddev_forward(stddev_plan(x.shape(), group), x.data<T>(), y.data<T>());
  });
  return y;
}

Tensor replayed_stddev_backward(const Tensor& x, const Tensor& gy, int group) {
  const Tensor gx = Tensor::empty(x.shape(), x.options());
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    replay_minibatch_stddev_backward(stddev_plan(x.shape(), group), x.data<T>(), gy.data<T>(), gx.data<T>());
  });
  return gx;
}

// A table's kernel on fresh outputs (on the inputs' device).
Tensor table_pixel_norm(ProganKernels& k, const Tensor& x, double eps) {
  const Tensor y = Tensor::empty(x.shape(), x.options());
  k.pixel_norm_forward(x, y, eps);
  return y;
}
Tensor table_pixel_norm_backward(ProganKernels& k, const Tensor& x, const Tensor& g, double eps) {
  const Tensor gx = Tensor::empty(x.shape(), x.options());
  k.pixel_norm_backward(x, g, gx, eps);
  return gx;
}
Tensor table_stddev(ProganKernels& k, const Tensor& x, int group) {
  const Tensor y = Tensor::empty(stddev_out_shape(x.shape()), x.options());
  k.minibatch_stddev_forward(x, y, group);
  return y;
}
Tensor table_stddev_backward(ProganKernels& k, const Tensor& x, const Tensor& gy, int group) {
  const Tensor gx = Tensor::empty(x.shape(), x.options());
  k.minibatch_stddev_backward(x, gy, gx, group);
  return gx;
}

ProganKernels& gpu_kernels() { return progan_kernels_for(gpu(), "test"); }

}  // namespace

TEST_CASE("cuda progan: the CPU replay of the GPU's pixel-norm order matches the CPU kernel") {
  CHECK(pixel_norm_plan({16, 512, 4, 4}).splits > 1);  // the replay does add in another order
  CHECK(pixel_norm_plan({3, 5, 6, 6}).splits == 1);
  for (DType dt : kDtypes)
    for (const Shape& s : kPixelNormShapes) {
      CAPTURE(dtype_name(dt));
      CAPTURE(shape_str(s));
      const PixelNormPlan plan = pixel_norm_plan(s);
      CHECK(plan.split_end(plan.splits - 1) == s[1]);  // the splits cover every channel once
      CHECK(plan.split_begin(plan.splits - 1) < s[1]);
      const Tensor x = input(s, 1, dt), g = input(s, 2, dt);
      const Tensor y = table_pixel_norm(cpu_progan_kernels(), x, 1e-8);
      const Tensor gx = table_pixel_norm_backward(cpu_progan_kernels(), x, g, 1e-8);
      const Tolerance tol = plan.splits == 1 ? Tolerance{0, 0} : sums(dt);
      gg::testing::check_close(replayed_pixel_norm(x, 1e-8), y, tol.atol, tol.rtol);
      gg::testing::check_close(replayed_pixel_norm_backward(x, g, 1e-8), gx, tol.atol, tol.rtol);
    }
}

TEST_CASE("cuda progan: the CPU replay of the GPU's minibatch-stddev order matches the CPU kernel") {
  CHECK(stddev_plan({16, 512, 4, 4}, 4).chunks == 32);
  for (DType dt : kDtypes)
    for (const StddevCase& c : kStddevCases) {
      CAPTURE(dtype_name(dt));
      CAPTURE(shape_str(c.shape));
      CAPTURE(c.group);
      const Tensor x = input(c.shape, 3, dt), gy = input(stddev_out_shape(c.shape), 4, dt);
      const Tolerance tol = sums(dt);
      gg::testing::check_close(replayed_stddev(x, c.group), table_stddev(cpu_progan_kernels(), x, c.group), tol.atol,
                               tol.rtol);
      gg::testing::check_close(replayed_stddev_backward(x, gy, c.group),
                               table_stddev_backward(cpu_progan_kernels(), x, gy, c.group), tol.atol, tol.rtol);
    }
}

TEST_CASE("cuda progan: the dispatch gives the CUDA table, or an error naming the kernel and the reason") {
  if (!cuda_testing::cuda_visible()) {
    // No device, or a build without CUDA: either way the message names the kernel.
    CHECK_THROWS_WITH_AS(progan_kernels_for(gpu(), "pixel_norm_forward"),
                         doctest::Contains("ProGAN kernel 'pixel_norm_forward'"), std::runtime_error);
    return;
  }
#if GG_WITH_CUDA
  CHECK(&progan_kernels_for(gpu(), "fade_in") == &cuda_progan_kernels());
#endif
  CHECK(&progan_kernels_for(Device::cpu(), "fade_in") != &progan_kernels_for(gpu(), "fade_in"));
  CHECK_THROWS_WITH_AS(progan_kernels_for(Device::cuda(1000), "fade_in"), doctest::Contains("ProGAN kernel 'fade_in'"),
                       std::runtime_error);
}

TEST_CASE("cuda progan: pixel_norm forward and fused backward match the CPU") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes)
    for (const Shape& s : kPixelNormShapes) {
      CAPTURE(dtype_name(dt));
      CAPTURE(shape_str(s));
      // The gradient of sum(out * v) is a plain backward: the fused kernel.
      check_op([](const In& v) { return pixel_norm(v[0]); }, {input(s, 5, dt)}, sums(dt));
    }
}

TEST_CASE("cuda progan: minibatch_stddev forward and fused backward match the CPU") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes)
    for (const StddevCase& c : kStddevCases) {
      CAPTURE(dtype_name(dt));
      CAPTURE(shape_str(c.shape));
      CAPTURE(c.group);
      const int group = c.group;
      check_op([group](const In& v) { return minibatch_stddev(v[0], group); }, {input(c.shape, 6, dt)}, sums(dt));
    }
}

TEST_CASE("cuda progan: pixel norm and minibatch stddev on the GPU equal the CPU replay of their order bit for bit") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    CAPTURE(dtype_name(dt));
    for (const Shape& s : kPixelNormShapes) {
      CAPTURE(shape_str(s));
      const Tensor x = input(s, 7, dt), g = input(s, 8, dt);
      check_identical(table_pixel_norm(gpu_kernels(), x.to(gpu()), 1e-8), replayed_pixel_norm(x, 1e-8));
      check_identical(table_pixel_norm_backward(gpu_kernels(), x.to(gpu()), g.to(gpu()), 1e-8),
                      replayed_pixel_norm_backward(x, g, 1e-8));
    }
    for (const StddevCase& c : kStddevCases) {
      CAPTURE(shape_str(c.shape));
      CAPTURE(c.group);
      const Tensor x = input(c.shape, 9, dt), gy = input(stddev_out_shape(c.shape), 10, dt);
      check_identical(table_stddev(gpu_kernels(), x.to(gpu()), c.group), replayed_stddev(x, c.group));
      check_identical(table_stddev_backward(gpu_kernels(), x.to(gpu()), gy.to(gpu()), c.group),
                      replayed_stddev_backward(x, gy, c.group));
    }
  }
}

TEST_CASE("cuda progan: the epilogue, leaky ReLU backward and fade-in give the CPU's bits") {
  GG_REQUIRE_CUDA();
  ProganKernels& cpu = cpu_progan_kernels();
  ProganKernels& dev = gpu_kernels();
  for (DType dt : kDtypes) {
    CAPTURE(dtype_name(dt));
    // A conv output (N, C, H, W), a linear one (N, C), and G's first layer: (N, runs, out / runs).
    for (const Shape& s : {Shape{4, 7, 5, 6}, Shape{16, 37}, Shape{16, 8, 16}}) {
      CAPTURE(shape_str(s));
      const Tensor bias = input({s[1]}, 11, dt);
      for (bool leaky : {false, true}) {
        CAPTURE(leaky);
        const Tensor y_cpu = input(s, 12, dt), y_gpu = y_cpu.to(gpu());
        cpu.scale_bias_activate(y_cpu, bias, 0.0589, leaky, 0.2);
        dev.scale_bias_activate(y_gpu, bias.to(gpu()), 0.0589, leaky, 0.2);
        check_identical(y_gpu, y_cpu);
      }
      const Tensor g = input(s, 13, dt), y = input(s, 14, dt);
      const Tensor gz_cpu = Tensor::empty(s, g.options()), gz_gpu = Tensor::empty(s, {dt, gpu()});
      cpu.leaky_relu_backward(g, y, gz_cpu, 0.2, 0.0589);
      dev.leaky_relu_backward(g.to(gpu()), y.to(gpu()), gz_gpu, 0.2, 0.0589);
      check_identical(gz_gpu, gz_cpu);
    }
    const Tensor a = input({8, 3, 16, 16}, 15, dt), b = input(a.shape(), 16, dt);
    for (double alpha : {0.0, 0.3, 1.0}) {
      CAPTURE(alpha);
      const Tensor out_cpu = Tensor::empty(a.shape(), a.options()), out_gpu = Tensor::empty(a.shape(), {dt, gpu()});
      cpu.fade_in(a, b, out_cpu, alpha);
      dev.fade_in(a.to(gpu()), b.to(gpu()), out_gpu, alpha);
      check_identical(out_gpu, out_cpu);
    }
    const std::pair<ResampleKernel, Shape> kernel_cases[] = {{ResampleKernel::downscale, {6, 5, 3, 3}},
                                                             {ResampleKernel::downscale, {4, 1, 1}},
                                                             {ResampleKernel::downscale, {3, 5, 5}},
                                                             {ResampleKernel::upscale, {6, 5, 3, 3}},
                                                             {ResampleKernel::upscale, {2, 7, 1, 1}}};
    for (const auto& [kind, s] : kernel_cases) {
      CAPTURE(kind == ResampleKernel::upscale);
      CAPTURE(shape_str(s));
      Shape big = s;  // (..., k + 1, k + 1), the channel axes swapped for upscale
      big[big.size() - 1] += 1;
      big[big.size() - 2] += 1;
      if (kind == ResampleKernel::upscale) std::swap(big[0], big[1]);
      const Tensor w = input(s, 17, dt), g = input(big, 18, dt);
      const Tensor out_cpu = Tensor::empty(big, w.options()), out_gpu = Tensor::empty(big, {dt, gpu()});
      cpu.resample_kernel_forward(w, out_cpu, kind);
      dev.resample_kernel_forward(w.to(gpu()), out_gpu, kind);
      check_identical(out_gpu, out_cpu);
      const Tensor gw_cpu = Tensor::empty(s, w.options()), gw_gpu = Tensor::empty(s, {dt, gpu()});
      cpu.resample_kernel_backward(g, gw_cpu, kind);
      dev.resample_kernel_backward(g.to(gpu()), gw_gpu, kind);
      check_identical(gw_gpu, gw_cpu);
    }
  }
}

TEST_CASE("cuda progan: equalized conv2d and linear and fade_in ops match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    CAPTURE(dtype_name(dt));
    const Tensor img = input({4, 5, 8, 8}, 20, dt);
    const Tensor w3 = input({6, 5, 3, 3}, 21, dt), w1 = input({3, 5, 1, 1}, 22, dt);
    const Tensor b6 = input({6}, 23, dt), b3 = input({3}, 24, dt);
    for (const EqualizedOptions& o : {EqualizedOptions{}, EqualizedOptions{.leaky_relu = true},
                                      EqualizedOptions{.leaky_relu = true, .downscale = true},
                                      EqualizedOptions{.gain = 1, .downscale = true},
                                      EqualizedOptions{.leaky_relu = true, .upscale = true}}) {
      CAPTURE(o.leaky_relu);
      CAPTURE(o.downscale);
      CAPTURE(o.upscale);
      check_op([o](const In& v) { return equalized_conv2d(v[0], v[1], v[2], o); }, {img, w3, b6}, blas(dt));
      check_op([o](const In& v) { return equalized_conv2d(v[0], v[1], v[2], o); }, {img, w1, b3}, blas(dt));
    }
    const Tensor feat = input({8, 37}, 25, dt), wl = input({6, 37}, 26, dt);
    const EqualizedOptions lrelu{.leaky_relu = true};
    check_op([lrelu](const In& v) { return equalized_linear(v[0], v[1], v[2], lrelu); }, {feat, wl, input({6}, 27, dt)},
             blas(dt));
    // One bias per run of 2 outputs, as G's first layer.
    check_op([lrelu](const In& v) { return equalized_linear(v[0], v[1], v[2], lrelu); }, {feat, wl, input({3}, 28, dt)},
             blas(dt));
    // Fade-in's backward is two scalings: exact.
    check_op([](const In& v) { return fade_in(0.3, v[0], v[1]); }, {img, input(img.shape(), 29, dt)}, {0, 0});
  }
}

TEST_CASE("cuda progan: the double backward through the ops (the gradient-penalty path) matches the CPU") {
  GG_REQUIRE_CUDA();
  // Each function returns d/dx of sum(op(x) * w) taken with create_graph (the recorded backward);
  // check_against_cpu then compares it and its own gradient, a gradient of a gradient.
  auto input_grad = [](const Tensor& out, const Tensor& x, std::uint64_t seed) {
    const Tensor w = gg::testing::random_f64(out.shape(), seed).to(out.dtype()).to(out.device());
    return grad({sum(mul(out, w))}, {x}, {}, {.create_graph = true})[0];
  };
  for (DType dt : kDtypes) {
    CAPTURE(dtype_name(dt));
    const Tensor img = input({8, 4, 4, 4}, 30, dt);
    check_op([&](const In& v) { return input_grad(pixel_norm(v[0]), v[0], 31); }, {img}, composite(dt));
    check_op([&](const In& v) { return input_grad(pixel_norm(v[0]), v[0], 32); }, {input({8, 32}, 33, dt)},
             composite(dt));
    check_op([&](const In& v) { return input_grad(minibatch_stddev(v[0]), v[0], 34); }, {img}, composite(dt));
    check_op([&](const In& v) { return input_grad(minibatch_stddev(v[0], 2), v[0], 35); }, {img}, composite(dt));
    check_op([&](const In& v) { return input_grad(fade_in(0.3, v[0], square(v[1])), v[1], 36); },
             {img, input(img.shape(), 37, dt)}, composite(dt));
    const Tensor w = input({3, 4, 3, 3}, 38, dt), b = input({3}, 39, dt);
    for (const EqualizedOptions& o : {EqualizedOptions{.leaky_relu = true},
                                      EqualizedOptions{.leaky_relu = true, .downscale = true}}) {
      CAPTURE(o.downscale);
      // The penalty's shape: the input gradient of a layer, differentiated for the weights.
      check_op([&, o](const In& v) { return input_grad(square(equalized_conv2d(v[0], v[1], v[2], o)), v[0], 40); },
               {img, w, b}, blas_second_order(dt));
    }
    check_op([&](const In& v) {
      return input_grad(square(equalized_linear(v[0], v[1], v[2], {.leaky_relu = true})), v[0], 41);
    }, {input({8, 12}, 42, dt), input({5, 12}, 43, dt), input({5}, 44, dt)}, blas_second_order(dt));
  }
}

TEST_CASE("cuda progan: two runs on the GPU give the same bits") {
  GG_REQUIRE_CUDA();
  const Tensor x = input({16, 512, 4, 4}, 50, DType::f32).to(gpu());
  const Tensor g = input({16, 512, 4, 4}, 51, DType::f32).to(gpu());
  const Tensor gy = input({16, 513, 4, 4}, 52, DType::f32).to(gpu());
  for (int run = 0; run < 2; ++run) {
    CAPTURE(run);
    check_identical(table_pixel_norm(gpu_kernels(), x, 1e-8), table_pixel_norm(gpu_kernels(), x, 1e-8));
    check_identical(table_pixel_norm_backward(gpu_kernels(), x, g, 1e-8),
                    table_pixel_norm_backward(gpu_kernels(), x, g, 1e-8));
    check_identical(table_stddev(gpu_kernels(), x, 4), table_stddev(gpu_kernels(), x, 4));
    check_identical(table_stddev_backward(gpu_kernels(), x, gy, 4), table_stddev_backward(gpu_kernels(), x, gy, 4));
  }
}

namespace {

// 8x8 one-channel images of a bright horizontal bar on a dark background.
data::Dataset bar_images(int count) {
  Generator gen(4);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * 64, 0);
  for (int n = 0; n < count; ++n) {
    const int top = 2 + static_cast<int>(gen.uniform() * 4);
    for (int x = 0; x < 8; ++x) pixels[static_cast<std::size_t>(n * 64 + top * 8 + x)] = 200;
  }
  return data::Dataset({"Bar"}, 1, 8, 8, std::move(pixels), std::vector<int>(static_cast<std::size_t>(count), 0),
                       std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

// A tiny ProGAN (8x8, 16 maps) on `device`, one D+G iteration per round: round 1 stabilizes 4x4,
// rounds 2 and 3 fade 8x8 in (alpha 0.125, then 0.375), so every ProGAN kernel runs.
nets::ProganTrainer tiny_trainer(Device device) {
  nets::ProganTrainConfig c;
  c.net = {.resolution = 8, .channels = 1, .fmap_base = 64, .fmap_max = 16};
  c.schedule.stabilize_kimg = 0.004;
  c.schedule.fade_kimg = 0.032;
  c.schedule.set_constant_batch(8);
  c.schedule.minibatch_repeats = 1;
  c.seed = 7;
  c.device = device;
  c.class_names = {"Bar"};
  c.grid_count = 4;
  return nets::ProganTrainer(c, bar_images(32));
}

std::vector<double> losses(const nets::RoundReport& r) {
  return {r.mean.d_loss, r.mean.g_loss, r.mean.gradient_penalty, r.mean.real_score, r.mean.fake_score};
}

}  // namespace

TEST_CASE("cuda progan: one WGAN-GP iteration of a tiny ProGAN on the GPU matches the CPU, and reruns exactly") {
  GG_REQUIRE_CUDA();
  nets::ProganTrainer cpu = tiny_trainer(Device::cpu()), dev = tiny_trainer(gpu()), again = tiny_trainer(gpu());
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    const nets::RoundReport c = cpu.train_round(), g = dev.train_round(), g2 = again.train_round();
    CHECK(g.point.level == c.point.level);
    CHECK(g.point.alpha == c.point.alpha);
    if (round > 0) CHECK(g.point.phase == nets::Phase::fade);
    // f32 networks: cuDNN and OpenBLAS sum in other orders, and Adam's first steps (beta1 0) move
    // every weight by about lr whatever the gradient's size, so later rounds inherit small drifts.
    gg::testing::check_close(Tensor::from_vector(losses(g), {5}), Tensor::from_vector(losses(c), {5}), 1e-4, 1e-3);
    CHECK(losses(g2) == losses(g));  // the same bits on a rerun
  }
}

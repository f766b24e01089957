// ProGAN's fused ops: each equals the plain composition of basic ops that defines it (f32 and
// f64), minibatch stddev's grouping against a hand-computed case, gradients and second-order
// gradients in double, and clear errors.
#include <cmath>

#include "engine/ops_progan.h"
#include "engine/progan_backend.h"
#include "tests/test_cuda_helpers.h"
#include "tests/testing.h"

using namespace gg;
using gg::testing::check_close;
using gg::testing::check_gradients;
using gg::testing::check_second_order;
using gg::testing::random_f64;
using In = std::vector<Tensor>;

namespace {

// Tolerances of a fused kernel against its composition: rounding differences only.
void check_same(const Tensor& fused, const Tensor& composed) {
  const bool single = fused.dtype() == DType::f32;
  check_close(fused, composed, single ? 1e-6 : 1e-13, single ? 2e-5 : 1e-12);
}

EqualizedOptions lrelu(bool down = false) { return {.leaky_relu = true, .downscale = down}; }

}  // namespace

TEST_CASE("progan ops: fused ops equal their unfused compositions") {
  for (DType dt : {DType::f32, DType::f64}) {
    CAPTURE(dtype_name(dt));
    auto rnd = [dt](const Shape& s, std::uint64_t seed) { return random_f64(s, seed).to(dt); };
    const Tensor img = rnd({8, 5, 6, 6}, 1), feat = rnd({3, 37}, 2);
    check_same(pixel_norm(img), unfused::pixel_norm(img));
    check_same(pixel_norm(feat), unfused::pixel_norm(feat));
    // A 3x1 layout with 300 channels: the tiled kernel's edges.
    const Tensor wide = rnd({2, 300, 17, 1}, 3);
    check_same(pixel_norm(wide), unfused::pixel_norm(wide));

    for (int group : {4, 2, 1, 16}) {
      CAPTURE(group);
      check_same(minibatch_stddev(img, group), unfused::minibatch_stddev(img, group));
    }
    const Tensor big = rnd({4, 33, 8, 8}, 4);  // several feature chunks per group
    check_same(minibatch_stddev(big), unfused::minibatch_stddev(big));

    const Tensor w3 = rnd({4, 5, 3, 3}, 5), w1 = rnd({3, 5, 1, 1}, 6), b4 = rnd({4}, 7), b3 = rnd({3}, 8);
    for (const EqualizedOptions& o : {EqualizedOptions{}, lrelu(), lrelu(true), EqualizedOptions{.gain = 1, .downscale = true}}) {
      CAPTURE(o.leaky_relu);
      CAPTURE(o.downscale);
      check_same(equalized_conv2d(img, w3, b4, o), unfused::equalized_conv2d(img, w3, b4, o));
      check_same(equalized_conv2d(img, w1, b3, o), unfused::equalized_conv2d(img, w1, b3, o));
    }
    const Tensor wl = rnd({6, 37}, 9), bl = rnd({6}, 10);
    check_same(equalized_linear(feat, wl, bl), unfused::equalized_linear(feat, wl, bl));
    check_same(equalized_linear(feat, wl, bl, lrelu()), unfused::equalized_linear(feat, wl, bl, lrelu()));
    const Tensor per_channel = rnd({3}, 12);  // one bias per run of 2 outputs
    check_same(equalized_linear(feat, wl, per_channel, lrelu()), unfused::equalized_linear(feat, wl, per_channel, lrelu()));

    const Tensor other = rnd(img.shape(), 11);
    for (double alpha : {0.0, 0.3, 1.0}) check_same(fade_in(alpha, img, other), unfused::fade_in(alpha, img, other));
  }
}

TEST_CASE("progan ops: minibatch_stddev groups samples m, m+M, m+2M... (hand-computed)") {
  // N = 4, group 2, so M = 2: group 0 = samples {0, 2}, group 1 = samples {1, 3}. Two features each.
  const Tensor x = Tensor::from_vector(std::vector<double>{1, 0, 10, 5, 3, 4, 20, 5}, {4, 1, 1, 2});
  // Group 0: features (1 vs 3) and (0 vs 4), variances 1 and 4. Group 1: (10 vs 20) and (5 vs 5),
  // variances 25 and 0; the 1e-8 inside the sqrt makes the second std 1e-4.
  const double s0 = (std::sqrt(1 + 1e-8) + std::sqrt(4 + 1e-8)) / 2, s1 = (std::sqrt(25 + 1e-8) + 1e-4) / 2;
  const Tensor expected = Tensor::from_vector(
      std::vector<double>{1, 0, s0, s0, 10, 5, s1, s1, 3, 4, s0, s0, 20, 5, s1, s1}, {4, 2, 1, 2});
  check_close(minibatch_stddev(x, 2), expected, 1e-12, 1e-12);
  // The group size is capped at the batch: a batch of 4 with group 8 is one group of 4.
  const Tensor one_group = minibatch_stddev(x, 8);
  const Tensor same_group = minibatch_stddev(x, 4);
  check_close(one_group, same_group, 0, 0);
  CHECK_THROWS_WITH_AS(minibatch_stddev(random_f64({6, 1, 2, 2}, 1), 4), doctest::Contains("not divisible"),
                       std::invalid_argument);
}

TEST_CASE("progan ops: gradients in double") {
  const Tensor img = random_f64({4, 3, 4, 4}, 20, 0.05);
  check_gradients([](const In& v) { return pixel_norm(v[0]); }, {img});
  check_gradients([](const In& v) { return pixel_norm(v[0]); }, {random_f64({3, 5}, 21)});
  check_gradients([](const In& v) { return minibatch_stddev(v[0], 2); }, {img});
  check_gradients([](const In& v) { return minibatch_stddev(v[0]); }, {img});
  const Tensor w = random_f64({2, 3, 3, 3}, 22), b = random_f64({2}, 23);
  for (const EqualizedOptions& o : {EqualizedOptions{}, lrelu(), lrelu(true)})
    check_gradients([o](const In& v) { return equalized_conv2d(v[0], v[1], v[2], o); }, {img, w, b});
  check_gradients([](const In& v) { return equalized_linear(v[0], v[1], v[2], lrelu()); },
                  {random_f64({3, 5}, 24), random_f64({4, 5}, 25), random_f64({4}, 26)});
  check_gradients([](const In& v) { return equalized_linear(v[0], v[1], v[2], lrelu()); },
                  {random_f64({3, 5}, 24), random_f64({4, 5}, 25), random_f64({2}, 28)});
  check_gradients([](const In& v) { return fade_in(0.3, v[0], v[1]); }, {img, random_f64(img.shape(), 27)});
}

TEST_CASE("progan ops: second order in double (the gradient-penalty path)") {
  const Tensor img = random_f64({4, 2, 4, 4}, 30, 0.05);
  // Squares make the second derivative non-trivial where an op is linear in an input.
  check_second_order([](const In& v) { return pixel_norm(v[0]); }, {img});
  check_second_order([](const In& v) { return square(minibatch_stddev(v[0], 2)); }, {img});
  check_second_order([](const In& v) { return minibatch_stddev(mul(v[0], v[0])); }, {img});
  const Tensor w = random_f64({3, 2, 3, 3}, 31), b = random_f64({3}, 32);
  for (const EqualizedOptions& o : {EqualizedOptions{}, lrelu(), lrelu(true)})
    check_second_order([o](const In& v) { return square(equalized_conv2d(v[0], v[1], v[2], o)); }, {img, w, b});
  check_second_order([](const In& v) { return square(equalized_linear(v[0], v[1], v[2], lrelu())); },
                     {random_f64({3, 5}, 33), random_f64({4, 5}, 34), random_f64({4}, 35)});
  check_second_order([](const In& v) { return mul(fade_in(0.3, v[0], v[1]), v[0]); }, {img, random_f64(img.shape(), 36)});
}

TEST_CASE("progan ops: the fused backward kernels equal the recorded backward") {
  // A plain backward runs the fused kernels; grad with create_graph runs the differentiable ops.
  const Tensor x = random_f64({8, 3, 4, 4}, 40).set_requires_grad(true);
  const Tensor v = random_f64({8, 4, 4, 4}, 41);
  for (auto op : {+[](const Tensor& t) { return concat({pixel_norm(t), t}, 1).reshape({8, 6, 4, 4}); },
                  +[](const Tensor& t) { return minibatch_stddev(t); }}) {
    const Tensor out = op(x);
    const Tensor proj = sum(mul(slice(out, 1, 0, 4), v));
    const Tensor fused = grad({proj}, {x}, {}, {.retain_graph = true})[0];
    const Tensor recorded = grad({proj}, {x}, {}, {.create_graph = true})[0];
    CHECK(recorded.requires_grad());
    check_close(fused, recorded, 1e-13, 1e-12);
  }
}

TEST_CASE("progan ops: clear errors") {
  const Tensor img = random_f64({2, 3, 4, 4}, 50), b = random_f64({2}, 51);
  CHECK_THROWS_WITH_AS(equalized_conv2d(img, random_f64({2, 3, 2, 2}, 52), b), doctest::Contains("odd size"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(equalized_conv2d(img, random_f64({2, 4, 3, 3}, 53), b), doctest::Contains("does not fit"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fade_in(0.5, img, random_f64({2, 3, 2, 2}, 54)), doctest::Contains("resample the old branch"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fade_in(1.5, img, img), doctest::Contains("outside [0, 1]"), std::invalid_argument);
  if (!cuda_testing::cuda_visible()) {  // no build or no device: the error names the kernel and why
    CHECK_THROWS_WITH_AS(progan_kernels_for(Device::cuda(), "pixel_norm_forward"),
                         doctest::Contains("ProGAN kernel 'pixel_norm_forward'"), std::runtime_error);
  }
}

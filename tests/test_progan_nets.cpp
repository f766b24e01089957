// ProGAN's generator and discriminator: shapes at every level and alpha, parameter names and
// counts, the fade-in's two ends, and the WGAN-GP gradient penalty through D in double.
#include <cmath>
#include <map>

#include "nets/progan.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::nets;
using gg::testing::check_close;
using gg::testing::check_gradients;
using gg::testing::f64;
using gg::testing::random_f64;
using In = std::vector<Tensor>;

namespace {

Tensor param(const Module& m, const std::string& name) {
  for (const auto& [n, t] : m.named_parameters())
    if (n == name) return t;
  FAIL("no parameter " << name);
  return {};
}

Tensor labels_for(const ProganConfig& c, std::int64_t n) {
  if (c.num_classes == 0) return {};
  std::vector<int> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(static_cast<int>(i % c.num_classes));
  return one_hot(labels, c.num_classes);
}

// The WGAN-GP penalty mean_n (||d score_n / d x_n||_2 - 1)^2, with the gradient kept differentiable.
Tensor gradient_penalty(ProganDiscriminator& d, const Tensor& x, int level, double alpha) {
  const Tensor score = slice(d.forward(x, level, alpha), 1, 0, 1);
  const Tensor g = grad({sum(score)}, {x}, {}, {.create_graph = true})[0];
  return mean(square(add(sqrt(sum(square(g), {1, 2, 3})), -1.0)));
}

}  // namespace

TEST_CASE("progan nets: output shapes at every level and alpha") {
  NoGrad no_grad;
  for (int resolution : {32, 64})
    for (int channels : {1, 3})
      for (int classes : {0, 3}) {
        const ProganConfig c{.resolution = resolution, .channels = channels, .fmap_base = 64, .fmap_max = 16,
                             .num_classes = classes};
        CAPTURE(resolution);
        CAPTURE(channels);
        CAPTURE(classes);
        Generator init(1);
        ProganGenerator g(c, init);
        ProganDiscriminator d(c, init);
        const std::int64_t n = 4;
        const Tensor z = Tensor::randn({n, progan_features(c, 0)}, init);
        for (int level = 2; (1 << level) <= resolution; ++level)
          for (double alpha : {0.0, 0.5, 1.0}) {
            CAPTURE(level);
            CAPTURE(alpha);
            const Tensor img = g.forward(z, labels_for(c, n), level, alpha);
            CHECK(img.shape() == Shape{n, channels, 1 << level, 1 << level});
            CHECK(d.forward(img, level, alpha).shape() == Shape{n, 1 + classes});
          }
      }
}

TEST_CASE("progan nets: parameter names and counts (hand-computed)") {
  // resolution 8, fmap_base 16, fmap_max 8: nf(0) = nf(1) = 8, nf(2) = 4; latent nf(0) = 8.
  for (int classes : {0, 5}) {
    const ProganConfig c{.resolution = 8, .channels = 3, .fmap_base = 16, .fmap_max = 8, .num_classes = classes};
    Generator init(2);
    ProganGenerator g(c, init);
    ProganDiscriminator d(c, init);
    auto conv = [](std::int64_t in, std::int64_t out, std::int64_t k) { return out * in * k * k + out; };
    const std::int64_t g_count = (8 + classes) * 128 + 8  // 4x4.dense: to (8, 4, 4), one bias per channel
                                 + conv(8, 8, 3)          // 4x4.conv
                                 + conv(8, 3, 1)          // torgb_lod1
                                 + conv(8, 4, 3)          // 8x8.conv0_up
                                 + conv(4, 4, 3)          // 8x8.conv1
                                 + conv(4, 3, 1);         // torgb_lod0
    const std::int64_t d_count = conv(3, 4, 1)            // fromrgb_lod0
                                 + conv(4, 4, 3)          // 8x8.conv0
                                 + conv(4, 8, 3)          // 8x8.conv1_down
                                 + conv(3, 8, 1)          // fromrgb_lod1
                                 + conv(8 + 1, 8, 3)      // 4x4.conv, after the stddev channel
                                 + 128 * 8 + 8            // 4x4.dense0
                                 + 8 * (1 + classes) + 1 + classes;  // 4x4.dense1
    CHECK(g.parameter_count() == g_count);
    CHECK(d.parameter_count() == d_count);
    const std::map<std::string, Shape> g_shapes = {
        {"4x4.dense.weight", {128, 8 + classes}}, {"4x4.dense.bias", {8}}, {"4x4.conv.weight", {8, 8, 3, 3}},
        {"8x8.conv0_up.weight", {4, 8, 3, 3}},    {"8x8.conv1.bias", {4}}, {"torgb_lod0.weight", {3, 4, 1, 1}},
        {"torgb_lod1.weight", {3, 8, 1, 1}}};
    for (const auto& [name, shape] : g_shapes) CHECK(param(g, name).shape() == shape);
    const std::map<std::string, Shape> d_shapes = {
        {"fromrgb_lod0.weight", {4, 3, 1, 1}}, {"fromrgb_lod1.weight", {8, 3, 1, 1}},
        {"8x8.conv0.weight", {4, 4, 3, 3}},   {"8x8.conv1_down.weight", {8, 4, 3, 3}},
        {"4x4.conv.weight", {8, 9, 3, 3}},    {"4x4.dense0.weight", {8, 128}},
        {"4x4.dense1.weight", {1 + classes, 8}}};
    for (const auto& [name, shape] : d_shapes) CHECK(param(d, name).shape() == shape);
    // Weights ~ N(0, 1), biases zero.
    CHECK(sum(square(param(g, "4x4.conv.bias"))).item() == 0);
    CHECK(std::fabs(mean(param(g, "4x4.conv.weight")).item()) < 0.2);
    CHECK(std::fabs(mean(square(param(g, "4x4.conv.weight"))).item() - 1) < 0.2);
  }
}

TEST_CASE("progan nets: the two ends of the fade-in") {
  const ProganConfig c{.resolution = 16, .channels = 3, .fmap_base = 32, .fmap_max = 8};
  Generator init(3);
  ProganGenerator g(c, init);
  ProganDiscriminator d(c, init);
  const Tensor z = Tensor::randn({4, 8}, init);
  // Level 4 (16x16): the previous toRGB is torgb_lod1, the previous fromRGB fromrgb_lod1.
  const Tensor old_rgb = param(g, "torgb_lod1.weight"), old_from = param(d, "fromrgb_lod1.weight");
  CHECK_FALSE(grad({sum(g.forward(z, {}, 4, 1.0))}, {old_rgb}, {}, {.allow_unused = true})[0].defined());
  CHECK(sum(square(grad({sum(g.forward(z, {}, 4, 0.5))}, {old_rgb})[0])).item() > 0);
  const Tensor img = Tensor::randn({4, 3, 16, 16}, init);
  CHECK_FALSE(grad({sum(d.forward(img, 4, 1.0))}, {old_from}, {}, {.allow_unused = true})[0].defined());
  CHECK(sum(square(grad({sum(d.forward(img, 4, 0.5))}, {old_from})[0])).item() > 0);

  NoGrad no_grad;
  // alpha 0: G is the upsampled image of the level below; D sees the pooled image at the level below.
  check_close(g.forward(z, {}, 4, 0.0), upsample_nearest2x(g.forward(z, {}, 3, 1.0)), 1e-6, 1e-6);
  check_close(d.forward(img, 4, 0.0), d.forward(avg_pool2x2(img), 3, 1.0), 1e-5, 1e-5);
}

TEST_CASE("progan nets: WGAN-GP gradient penalty through D in double") {
  const ProganConfig c{.resolution = 8, .channels = 1, .fmap_base = 8, .fmap_max = 4};
  Generator init(4);
  ProganDiscriminator d(c, init, f64());
  const Tensor x = random_f64({4, 1, 8, 8}, 5);
  for (double alpha : {0.5, 1.0}) {
    CAPTURE(alpha);
    // A double backward into D's weights. Every weight gets a gradient but the faded-out
    // fromRGB's; a bias reaches the penalty only through a smooth op before it (minibatch
    // stddev's sqrt), so the 4x4 block's biases get none (ReLU masks are piecewise constant).
    d.zero_grad();
    Tensor x_hat = x.clone().set_requires_grad(true);
    gradient_penalty(d, x_hat, 3, alpha).backward();
    for (const auto& [name, p] : d.named_parameters()) {
      CAPTURE(name);
      const bool faded_out = alpha == 1 && name.rfind("fromrgb_lod1", 0) == 0;
      const bool bias_after_stddev = name.rfind("4x4.", 0) == 0 && name.find(".bias") != std::string::npos;
      CHECK(p.grad().defined() == !(faded_out || bias_after_stddev));
    }
    // The penalty's gradient in the weights against central differences. check_gradients cannot
    // reach D's own parameters (it differentiates in fresh copies of its inputs), so this is its
    // method written out: every parameter perturbed in place (no gradient counts as zero).
    std::int64_t checked = 0;
    for (const auto& [name, p] : d.named_parameters()) {
      const std::vector<double> analytic =
          p.grad().defined() ? p.grad().to_vector<double>() : std::vector<double>(static_cast<std::size_t>(p.numel()), 0.0);
      double* v = p.data<double>();
      for (std::int64_t i = 0; i < p.numel(); ++i) {
        const double orig = v[i], eps = 1e-6;
        auto penalty = [&](double value) {
          v[i] = value;
          return gradient_penalty(d, x.clone().set_requires_grad(true), 3, alpha).item();
        };
        const double numeric = (penalty(orig + eps) - penalty(orig - eps)) / (2 * eps);
        v[i] = orig;
        INFO(name << "[" << i << "]: analytic " << analytic[static_cast<std::size_t>(i)] << ", numeric " << numeric);
        CHECK(std::fabs(analytic[static_cast<std::size_t>(i)] - numeric) <= 1e-6 + 1e-4 * std::fabs(numeric));
        ++checked;
      }
    }
    CHECK(checked == d.parameter_count());
  }
  // And in the images: the penalty's gradient in x_hat is itself a double backward through D.
  check_gradients([&](const In& v) { return gradient_penalty(d, v[0], 3, 0.5); }, {x},
                  {.eps = 1e-6, .atol = 1e-6, .rtol = 1e-4});
}

TEST_CASE("progan nets: clear errors") {
  Generator init(6);
  CHECK_THROWS_WITH_AS(ProganGenerator({.resolution = 48}, init), doctest::Contains("power of two"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ProganDiscriminator({.resolution = 64, .fmap_base = 16}, init), doctest::Contains("no feature maps"),
                       std::invalid_argument);
  const ProganConfig c{.resolution = 8, .fmap_base = 16, .fmap_max = 8, .num_classes = 2};
  ProganGenerator g(c, init);
  ProganDiscriminator d(c, init);
  const Tensor z = Tensor::randn({2, 8}, init);
  CHECK_THROWS_WITH_AS(g.forward(z, {}, 3, 1.0), doctest::Contains("one-hot labels"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(g.forward(z, one_hot({0, 1}, 2), 4, 1.0), doctest::Contains("level 4 is outside"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(d.forward(Tensor::zeros({2, 1, 4, 4}), 3, 1.0), doctest::Contains("images must be (N, 1, 8, 8)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(d.forward(Tensor::zeros({6, 1, 8, 8}), 3, 1.0), doctest::Contains("not divisible"),
                       std::invalid_argument);
}

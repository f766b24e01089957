// Gradients of gradients against central differences of gradients, for the ops on the WGAN-GP
// gradient-penalty path, and the penalty of a small conv net end to end.
#include "tests/testing.h"

using namespace gg;
using gg::testing::check_second_order;
using gg::testing::random_f64;
using In = std::vector<Tensor>;

TEST_CASE("second order: conv2d and its two adjoints") {
  const Tensor x = random_f64({2, 2, 4, 4}, 1), w = random_f64({3, 2, 3, 3}, 2), b = random_f64({3}, 3);
  // conv is bilinear, so the check exercises the cross terms d2/dx dw.
  check_second_order([](const In& v) { return conv2d(v[0], v[1], v[2], {1, 1}); }, {x, w, b});
  check_second_order([](const In& v) { return conv2d(v[0], v[1], {}, {2, 1}); }, {x, w});
  // A nonlinearity between two convs makes the second derivative non-trivial in x.
  check_second_order([](const In& v) { return square(conv2d(v[0], v[1], {}, {1, 1})); }, {x, w});
}

TEST_CASE("second order: linear, mul, sum/mean") {
  check_second_order([](const In& v) { return square(linear(v[0], v[1], v[2])); },
                     {random_f64({3, 4}, 4), random_f64({2, 4}, 5), random_f64({2}, 6)});
  check_second_order([](const In& v) { return mul(mul(v[0], v[1]), v[0]); }, {random_f64({2, 3}, 7), random_f64({1, 3}, 8)});
  check_second_order([](const In& v) { return square(sum(mul(v[0], v[0]), {1}, true)); }, {random_f64({3, 4}, 9)});
  check_second_order([](const In& v) { return square(mean(v[0], {0, 2})); }, {random_f64({2, 3, 4}, 10)});
}

TEST_CASE("second order: leaky_relu, avg_pool, upsample, concat") {
  const Tensor img = random_f64({2, 2, 4, 4}, 11, 0.05);
  check_second_order([](const In& v) { return square(leaky_relu(mul(v[0], v[0]), 0.2)); }, {img});
  check_second_order([](const In& v) { return leaky_relu(mul(v[0], v[1]), 0.2); }, {img, random_f64({1, 2, 1, 1}, 12)});
  check_second_order([](const In& v) { return square(avg_pool2x2(v[0])); }, {img});
  check_second_order([](const In& v) { return square(upsample_nearest2x(v[0])); }, {img});
  check_second_order([](const In& v) { return square(concat({v[0], mul(v[1], v[0])}, 1)); }, {img, random_f64({2, 2, 4, 4}, 13)});
}

TEST_CASE("second order: sqrt and rsqrt") {
  const Tensor pos = add(abs(random_f64({3, 4}, 14)), 0.3).detach();
  check_second_order([](const In& v) { return sqrt(v[0]); }, {pos});
  check_second_order([](const In& v) { return rsqrt(v[0]); }, {pos});
  check_second_order([](const In& v) { return mul(sqrt(v[0]), v[1]); }, {pos, random_f64({3, 4}, 15)});
}

TEST_CASE("second order: input-gradient norm penalty of a small conv net") {
  // D(x) = linear(flatten(avgpool(lrelu(conv(lrelu(conv(x))))))); penalty = mean((||dD/dx||_2 - 1)^2),
  // exactly the WGAN-GP term. Its gradient w.r.t. the weights needs a double backward.
  const Tensor x = random_f64({3, 2, 4, 4}, 16);
  const Tensor w1 = random_f64({3, 2, 3, 3}, 17), b1 = random_f64({3}, 18);
  const Tensor w2 = random_f64({2, 3, 3, 3}, 19), wl = random_f64({1, 8}, 20);
  auto penalty = [](const In& v) {
    const Tensor& xin = v[0];
    const Tensor h = leaky_relu(conv2d(xin, v[1], v[2], {1, 1}), 0.2);
    const Tensor h2 = avg_pool2x2(leaky_relu(conv2d(h, v[3], {}, {1, 1}), 0.2));
    const Tensor d = linear(h2.flatten(1), v[4]);
    const Tensor g = grad({sum(d)}, {xin}, {}, {.create_graph = true})[0];
    const Tensor norms = sqrt(add(sum(square(g), {1, 2, 3}), 1e-12));
    return mean(square(add(norms, -1.0)));
  };
  testing::check_gradients(penalty, {x, w1, b1, w2, wl}, {.eps = 1e-6, .atol = 1e-6, .rtol = 1e-4});
}

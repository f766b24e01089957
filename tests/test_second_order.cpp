// Gradients of gradients against central differences of gradients: the op table's rows on the
// WGAN-GP gradient-penalty path (tests/op_table.h), one SUBCASE each; compositions of them; and
// the penalty of a small conv net end to end.
#include "engine/ops_progan.h"
#include "tests/op_table.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::op_table;
using gg::testing::check_close;
using gg::testing::check_second_order;
using gg::testing::random_f64;
using In = std::vector<Tensor>;

namespace {

void check_group(Group group) {
  for (const OpCase& row : op_cases()) {
    if (row.group != group || !row.penalty_path || !row.gradcheck) continue;
    SUBCASE(row.name.c_str()) {
      // square(op): its second derivative involves op's own, and is non-trivial where op is linear.
      check_second_order([op = row.op](const In& v) { return square(op(v)); }, make_inputs(row, DType::f64),
                         {.max_kink_share = row.kinks == Kinks::inside ? 0.05 : 0.0});
    }
  }
}

}  // namespace

TEST_CASE("second order: elementwise ops of the op table, broadcasting too") { check_group(Group::elementwise); }

TEST_CASE("second order: reductions, broadcasts and shape ops of the op table") { check_group(Group::reduction_shape); }

TEST_CASE("second order: matmul, linear and conv2d of the op table") { check_group(Group::linalg_conv); }

TEST_CASE("second order: avg_pool and upsampling of the op table") { check_group(Group::nn); }

TEST_CASE("second order: ProGAN's fused ops of the op table") { check_group(Group::progan); }

TEST_CASE("second order: fused batch norm (+ ReLU) equals its composition's") {
  // The fused op's recorded backward is made of ops; its gradient of a gradient must be the
  // composition's, for every input, through a plain backward of the recorded one.
  const Tensor x0 = add(mul(random_f64({5, 3, 4, 4}, 70), 1.5), 0.5), w = random_f64(x0.shape(), 71);
  for (bool with_relu : {false, true}) {
    CAPTURE(with_relu);
    auto second = [&](bool fused) {
      Tensor x = x0.detach(), gamma = random_f64({3}, 72), beta = random_f64({3}, 73);
      for (Tensor* t : {&x, &gamma, &beta}) t->set_requires_grad(true);
      BatchNormState st{Tensor::zeros({3}, testing::f64()), Tensor::ones({3}, testing::f64())};
      const Tensor y = fused ? (with_relu ? batch_norm_relu(x, gamma, beta, st, true) : batch_norm(x, gamma, beta, st, true))
                             : (with_relu ? relu(unfused::batch_norm(x, gamma, beta, st, true))
                                          : unfused::batch_norm(x, gamma, beta, st, true));
      const auto g = grad({sum(mul(square(y), w))}, {x, gamma, beta}, {}, {.create_graph = true});
      const Tensor h = add(add(sum(square(g[0])), sum(square(g[1]))), sum(mul(g[2], g[1])));
      return grad({h}, {x, gamma, beta});
    };
    const auto fused = second(true), composed = second(false);
    for (std::size_t i = 0; i < fused.size(); ++i) check_close(fused[i], composed[i], 1e-10, 1e-10);
  }
}

TEST_CASE("second order: compositions of the penalty path's ops") {
  const Tensor img = random_f64({2, 2, 4, 4}, 11, 0.05);
  check_second_order([](const In& v) { return mul(mul(v[0], v[1]), v[0]); }, {random_f64({2, 3}, 7), random_f64({1, 3}, 8)});
  check_second_order([](const In& v) { return square(sum(mul(v[0], v[0]), {1}, true)); }, {random_f64({3, 4}, 9)});
  check_second_order([](const In& v) { return square(leaky_relu(mul(v[0], v[0]), 0.2)); }, {img});
  check_second_order([](const In& v) { return leaky_relu(mul(v[0], v[1]), 0.2); }, {img, random_f64({1, 2, 1, 1}, 12)});
  check_second_order([](const In& v) { return square(concat({v[0], mul(v[1], v[0])}, 1)); }, {img, random_f64({2, 2, 4, 4}, 13)});
  const Tensor pos = add(abs(random_f64({3, 4}, 14)), 0.3).detach();
  check_second_order([](const In& v) { return mul(sqrt(v[0]), v[1]); }, {pos, random_f64({3, 4}, 15)});
  const Tensor maps = random_f64({4, 2, 4, 4}, 30, 0.05);
  check_second_order([](const In& v) { return minibatch_stddev(mul(v[0], v[0])); }, {maps});
  check_second_order([](const In& v) { return mul(fade_in(0.3, v[0], v[1]), v[0]); }, {maps, random_f64(maps.shape(), 36)});
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

// First-order gradients of every op against central differences in double.
#include "tests/testing.h"

using namespace gg;
using gg::testing::check_gradients;
using gg::testing::random_f64;
using In = std::vector<Tensor>;

TEST_CASE("gradcheck: binary ops with broadcasting") {
  const std::vector<std::pair<Shape, Shape>> cases = {{{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {}}, {{2, 3, 2, 2}, {1, 3, 1, 1}},
                                                      {{4, 1}, {2, 1, 3}}};
  for (const auto& [sa, sb] : cases) {
    CAPTURE(shape_str(sa));
    CAPTURE(shape_str(sb));
    const Tensor a = random_f64(sa, 1), b = random_f64(sb, 2, 0.5);
    check_gradients([](const In& x) { return add(x[0], x[1]); }, {a, b});
    check_gradients([](const In& x) { return sub(x[0], x[1]); }, {a, b});
    check_gradients([](const In& x) { return mul(x[0], x[1]); }, {a, b});
    check_gradients([](const In& x) { return div(x[0], x[1]); }, {a, b});
  }
}

TEST_CASE("gradcheck: unary ops (kinks skipped)") {
  const Tensor x = random_f64({3, 5}, 3, 0.05);
  const Tensor pos = add(abs(x), 0.2).detach();
  check_gradients([](const In& v) { return neg(v[0]); }, {x});
  check_gradients([](const In& v) { return exp(v[0]); }, {x});
  check_gradients([](const In& v) { return log(v[0]); }, {pos});
  check_gradients([](const In& v) { return sqrt(v[0]); }, {pos});
  check_gradients([](const In& v) { return rsqrt(v[0]); }, {pos});
  check_gradients([](const In& v) { return pow(v[0], 2.5); }, {pos});
  check_gradients([](const In& v) { return square(v[0]); }, {x});
  check_gradients([](const In& v) { return abs(v[0]); }, {x});
  check_gradients([](const In& v) { return relu(v[0]); }, {x});
  check_gradients([](const In& v) { return leaky_relu(v[0], 0.2); }, {x});
  check_gradients([](const In& v) { return add(mul(v[0], 1.5), -2.0); }, {x});
  check_gradients([](const In& v) { return lerp(v[0], v[1], v[2]); }, {x, pos, random_f64({1, 5}, 4)});
}

TEST_CASE("gradcheck: reductions, broadcast and shape ops") {
  const Tensor x = random_f64({2, 3, 4, 2}, 5);
  check_gradients([](const In& v) { return sum(v[0], {0, 2, 3}, true); }, {x});
  check_gradients([](const In& v) { return sum(v[0], {1}); }, {x});
  check_gradients([](const In& v) { return mean(v[0], {2, 3}); }, {x});
  check_gradients([](const In& v) { return mean(v[0]); }, {x});
  check_gradients([](const In& v) { return broadcast_to(v[0], {2, 3, 4, 2}); }, {random_f64({3, 1, 2}, 6)});
  check_gradients([](const In& v) { return sum_to(v[0], {3, 1, 2}); }, {x});
  check_gradients([](const In& v) { return v[0].reshape({6, 8}); }, {x});
  check_gradients([](const In& v) { return concat({v[0], v[1]}, 1); }, {x, random_f64({2, 1, 4, 2}, 7)});
  check_gradients([](const In& v) { return slice(v[0], 2, 1, 3); }, {x});
  check_gradients([](const In& v) { return v[0].clone(); }, {x});
}

TEST_CASE("gradcheck: matmul, linear and conv2d") {
  check_gradients([](const In& v) { return matmul(v[0], v[1]); }, {random_f64({3, 4}, 8), random_f64({4, 5}, 9)});
  check_gradients([](const In& v) { return matmul(v[0], v[1], true, true); }, {random_f64({4, 3}, 8), random_f64({5, 4}, 9)});
  check_gradients([](const In& v) { return linear(v[0], v[1], v[2]); },
                  {random_f64({3, 4}, 10), random_f64({2, 4}, 11), random_f64({2}, 12)});
  for (Conv2dOptions o : {Conv2dOptions{1, 1}, Conv2dOptions{2, 1}, Conv2dOptions{1, 0}}) {
    check_gradients([o](const In& v) { return conv2d(v[0], v[1], v[2], o); },
                    {random_f64({2, 2, 5, 5}, 13), random_f64({3, 2, 3, 3}, 14), random_f64({3}, 15)});
  }
  const Shape xs{2, 2, 5, 5}, ws{3, 2, 3, 3};
  check_gradients([&](const In& v) { return conv2d_backward_input(v[0], v[1], xs, {1, 1}); },
                  {random_f64({2, 3, 5, 5}, 16), random_f64(ws, 17)});
  check_gradients([&](const In& v) { return conv2d_backward_weight(v[0], v[1], ws, {1, 1}); },
                  {random_f64(xs, 18), random_f64({2, 3, 5, 5}, 19)});
}

TEST_CASE("gradcheck: pooling, upsampling, softmax, losses, batch norm") {
  const Tensor img = random_f64({2, 2, 4, 6}, 20);
  check_gradients([](const In& v) { return avg_pool2x2(v[0]); }, {img});
  check_gradients([](const In& v) { return max_pool2x2(v[0]); }, {img});
  check_gradients([](const In& v) { return upsample_nearest2x(v[0]); }, {img});
  check_gradients([](const In& v) { return log_softmax(v[0]); }, {random_f64({3, 5}, 21)});
  check_gradients([](const In& v) { return cross_entropy(v[0], {1, 4, 0}); }, {random_f64({3, 5}, 22)});
  check_gradients([](const In& v) { return cross_entropy(v[0], {1, 4, 0}, {1, 2, 3, 1, 0.5}); }, {random_f64({3, 5}, 22)});
  check_gradients([](const In& v) { return mse_loss(v[0], v[1]); }, {random_f64({3, 5}, 23), random_f64({3, 5}, 24)});
  check_gradients(
      [](const In& v) {
        BatchNormState st{Tensor::zeros({2}, testing::f64()), Tensor::ones({2}, testing::f64())};
        return batch_norm(v[0], v[1], v[2], st, true);
      },
      {random_f64({4, 2, 3, 3}, 25), random_f64({2}, 26), random_f64({2}, 27)});
  check_gradients(
      [](const In& v) {
        Generator gen(5);  // the same mask at every evaluation
        return dropout(v[0], 0.4, true, gen);
      },
      {random_f64({4, 6}, 28)});
}

// The autograd engine's contract: accumulation, graph freeing, no-grad, grad() vs backward().
#include "tests/testing.h"

using namespace gg;
using gg::testing::random_f64;

TEST_CASE("autograd: backward accumulates into leaves, through shared subexpressions") {
  Tensor x = random_f64({3}, 1);
  x.set_requires_grad();
  const Tensor y = mul(x, x);            // used twice: a diamond
  const Tensor loss = sum(add(y, mul(y, 3.0)));
  loss.backward();
  testing::check_close(x.grad(), mul(x, 8.0).detach(), 1e-14, 1e-14);
  // A second graph adds to the same .grad.
  sum(x).backward();
  testing::check_close(x.grad(), add(mul(x, 8.0), 1.0).detach(), 1e-14, 1e-14);
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("autograd: the graph is freed after backward unless retained") {
  Tensor x = random_f64({4}, 2);
  x.set_requires_grad();
  const Tensor loss = sum(exp(x));
  loss.backward({}, /*retain_graph=*/true);
  loss.backward();
  testing::check_close(x.grad(), mul(exp(x), 2.0).detach(), 1e-14, 1e-14);
  CHECK_THROWS_WITH_AS(loss.backward(), doctest::Contains("second time"), std::runtime_error);
}

TEST_CASE("autograd: grad() returns gradients and leaves .grad alone") {
  Tensor x = random_f64({2, 3}, 3), w = random_f64({3}, 4);
  x.set_requires_grad();
  w.set_requires_grad();
  const Tensor out = sum(mul(x, w));
  const auto g = grad({out}, {x});
  REQUIRE(g.size() == 1);
  testing::check_close(g[0], broadcast_to(w, {2, 3}).detach(), 0, 0);
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(w.grad().defined());
  // Unreachable inputs are an error unless allowed.
  Tensor z = random_f64({2}, 5);
  z.set_requires_grad();
  CHECK_THROWS_WITH_AS(grad({sum(mul(x, w))}, {z}), doctest::Contains("not reachable"), std::invalid_argument);
  CHECK_FALSE(grad({sum(mul(x, w))}, {z}, {}, {.allow_unused = true})[0].defined());
  // Non-leaf inputs: the gradient flowing into an intermediate result.
  const Tensor h = mul(x, 2.0);
  const auto gh = grad({sum(square(h))}, {h});
  testing::check_close(gh[0], mul(h, 2.0).detach(), 1e-14, 1e-14);
}

TEST_CASE("autograd: NoGrad records nothing, detach cuts the graph") {
  Tensor x = random_f64({3}, 6);
  x.set_requires_grad();
  {
    NoGrad guard;
    const Tensor y = mul(x, 2.0);
    CHECK_FALSE(y.requires_grad());
    CHECK_FALSE(GradMode::enabled());
  }
  CHECK(GradMode::enabled());
  CHECK(mul(x, 2.0).requires_grad());
  CHECK_FALSE(mul(x, 2.0).detach().requires_grad());
  CHECK_THROWS_WITH_AS(sum(x.detach()).backward(), doctest::Contains("does not require grad"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mul(x, 2.0).backward(), doctest::Contains("not a scalar"), std::invalid_argument);
}

TEST_CASE("autograd: create_graph gives differentiable gradients (d2/dx2 x^3 = 6x)") {
  Tensor x = Tensor::from_vector(std::vector<double>{0.5, -1.5, 2.0}, {3});
  x.set_requires_grad();
  const Tensor y = sum(pow(x, 3.0));
  const Tensor g = grad({y}, {x}, {}, {.create_graph = true})[0];  // 3x^2
  CHECK(g.requires_grad());
  testing::check_close(g, mul(square(x), 3.0).detach(), 1e-14, 1e-14);
  const Tensor g2 = grad({sum(g)}, {x})[0];  // 6x
  testing::check_close(g2, mul(x, 6.0).detach(), 1e-13, 1e-13);
  // Outputs that reuse their own result in backward (exp) still differentiate twice.
  const Tensor e = grad({sum(exp(x))}, {x}, {}, {.create_graph = true})[0];
  testing::check_close(grad({sum(e)}, {x})[0], exp(x).detach(), 1e-13, 1e-13);
}

TEST_CASE("autograd: ops validate their inputs with clear messages") {
  CHECK_THROWS_WITH_AS(conv2d(Tensor::zeros({1, 1, 2, 2}), Tensor::zeros({1, 1, 3, 3})), doctest::Contains("larger than"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})), doctest::Contains("does not fit"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(sum(Tensor::zeros({2}), {3}), doctest::Contains("out of range"), std::invalid_argument);
}

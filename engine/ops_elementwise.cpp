// Elementwise ops with broadcasting. Each backward is written with ops, so it can be
// differentiated again; masks of piecewise ops (relu, abs) are constants of the backward.
#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using detail::unary_constant;
using Grads = std::vector<Tensor>;

namespace {

Tensor binary_forward(const char* op, BinaryOp kind, const Tensor& a, const Tensor& b) {
  detail::check_compatible(op, a, b);
  Tensor out = Tensor::empty(detail::broadcast_shapes(op, a.shape(), b.shape()), a.options());
  be(a).binary(kind, a, b, out);
  return out;
}

Tensor unary_forward(const char* op, UnaryOp kind, const Tensor& x, double alpha = 0) {
  detail::check_defined(op, x, "input");
  Tensor y = Tensor::empty(x.shape(), x.options());
  be(x).unary(kind, x, y, alpha);
  return y;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  return record("add", binary_forward("add", BinaryOp::add, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
                  return Grads{n.needs_grad(0) ? sum_to(g, sa) : Tensor(), n.needs_grad(1) ? sum_to(g, sb) : Tensor()};
                });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  return record("sub", binary_forward("sub", BinaryOp::sub, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
                  return Grads{n.needs_grad(0) ? sum_to(g, sa) : Tensor(), n.needs_grad(1) ? sum_to(neg(g), sb) : Tensor()};
                });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  return record("mul", binary_forward("mul", BinaryOp::mul, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
                  const Tensor &a = n.saved[0], &b = n.saved[1];
                  return Grads{n.needs_grad(0) ? sum_to(mul(g, b), sa) : Tensor(),
                               n.needs_grad(1) ? sum_to(mul(g, a), sb) : Tensor()};
                }, {a, b});
}

Tensor div(const Tensor& a, const Tensor& b) {
  return record("div", binary_forward("div", BinaryOp::div, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](Node& n, const Tensor& g) {
                  const Tensor &a = n.saved[0], &b = n.saved[1];
                  return Grads{n.needs_grad(0) ? sum_to(div(g, b), sa) : Tensor(),
                               n.needs_grad(1) ? sum_to(neg(div(mul(g, a), square(b))), sb) : Tensor()};
                }, {a, b});
}

Tensor add(const Tensor& a, double s) {
  return record("add_scalar", unary_forward("add_scalar", UnaryOp::add_scalar, a, s), {a},
                [](Node&, const Tensor& g) { return Grads{g}; });
}

Tensor mul(const Tensor& a, double s) {
  return record("mul_scalar", unary_forward("mul_scalar", UnaryOp::scale, a, s), {a},
                [s](Node&, const Tensor& g) { return Grads{mul(g, s)}; });
}

Tensor neg(const Tensor& x) {
  return record("neg", unary_forward("neg", UnaryOp::neg, x), {x},
                [](Node&, const Tensor& g) { return Grads{neg(g)}; });
}

Tensor exp(const Tensor& x) {
  return record("exp", unary_forward("exp", UnaryOp::exp, x), {x},
                [](Node& n, const Tensor& g) { return Grads{mul(g, n.saved_output())}; }, {}, true);
}

Tensor log(const Tensor& x) {
  return record("log", unary_forward("log", UnaryOp::log, x), {x},
                [](Node& n, const Tensor& g) { return Grads{div(g, n.saved[0])}; }, {x});
}

Tensor sqrt(const Tensor& x) {
  // d sqrt(x) = 1 / (2 sqrt(x))
  return record("sqrt", unary_forward("sqrt", UnaryOp::sqrt, x), {x},
                [](Node& n, const Tensor& g) { return Grads{mul(div(g, n.saved_output()), 0.5)}; }, {}, true);
}

Tensor rsqrt(const Tensor& x) {
  // d x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
  return record("rsqrt", unary_forward("rsqrt", UnaryOp::rsqrt, x), {x},
                [](Node& n, const Tensor& g) {
                  const Tensor y = n.saved_output();
                  return Grads{mul(mul(g, mul(square(y), y)), -0.5)};
                }, {}, true);
}

Tensor abs(const Tensor& x) {
  return record("abs", unary_forward("abs", UnaryOp::abs, x), {x},
                [](Node& n, const Tensor& g) { return Grads{mul(g, unary_constant(UnaryOp::sign, n.saved[0]))}; },
                {x});
}

Tensor square(const Tensor& x) {
  return record("square", unary_forward("square", UnaryOp::square, x), {x},
                [](Node& n, const Tensor& g) { return Grads{mul(mul(g, n.saved[0]), 2.0)}; }, {x});
}

Tensor pow(const Tensor& x, double p) {
  return record("pow", unary_forward("pow", UnaryOp::pow, x, p), {x},
                [p](Node& n, const Tensor& g) { return Grads{mul(mul(g, pow(n.saved[0], p - 1)), p)}; }, {x});
}

Tensor relu(const Tensor& x) {
  return record("relu", unary_forward("relu", UnaryOp::relu, x), {x},
                [](Node& n, const Tensor& g) { return Grads{mul(g, unary_constant(UnaryOp::step, n.saved[0]))}; },
                {x});
}

Tensor leaky_relu(const Tensor& x, double slope) {
  return record("leaky_relu", unary_forward("leaky_relu", UnaryOp::leaky_relu, x, slope), {x},
                [slope](Node& n, const Tensor& g) {
                  return Grads{mul(g, unary_constant(UnaryOp::leaky_step, n.saved[0], slope))};
                }, {x});
}

Tensor lerp(const Tensor& a, const Tensor& b, const Tensor& t) { return add(a, mul(sub(b, a), t)); }

Tensor lerp(const Tensor& a, const Tensor& b, double t) { return add(a, mul(sub(b, a), t)); }

Tensor gradient_reversal(const Tensor& x, double lambda) {
  Tensor out;
  {
    NoGrad no_grad;
    out = x.clone();
  }
  return record("gradient_reversal", out, {x}, [lambda](Node&, const Tensor& g) { return Grads{mul(g, -lambda)}; });
}

}  // namespace gg

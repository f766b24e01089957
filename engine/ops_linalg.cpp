// matmul, linear and conv2d. The two adjoints of conv2d are ops of their own whose gradients are
// the other two members of the trio, so convolutions can be differentiated to any order.
#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

Tensor matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  detail::check_compatible("matmul", a, b);
  detail::check_rank("matmul", a, 2, "a");
  detail::check_rank("matmul", b, 2, "b");
  const std::int64_t m = ta ? a.size(1) : a.size(0), k = ta ? a.size(0) : a.size(1);
  const std::int64_t kb = tb ? b.size(1) : b.size(0), n = tb ? b.size(0) : b.size(1);
  if (k != kb)
    detail::fail("matmul", "inner sizes differ: " + shape_str(a.shape()) + (ta ? "^T" : "") + " x " +
                               shape_str(b.shape()) + (tb ? "^T" : ""));
  Tensor out = Tensor::empty({m, n}, a.options());
  be(a).gemm(ta, tb, m, n, k, 1.0, a.detach(), b.detach(), 0.0, out);
  // With C = op(A) op(B): dop(A) = G op(B)^T and dop(B) = op(A)^T G, transposed back where stored so.
  return record("matmul", out, {a, b}, [ta, tb](Node& n, const Tensor& g) {
    const Tensor &a = n.saved[0], &b = n.saved[1];
    Tensor ga, gb;
    if (n.needs_grad(0)) ga = ta ? matmul(b, g, tb, true) : matmul(g, b, false, !tb);
    if (n.needs_grad(1)) gb = tb ? matmul(g, a, true, ta) : matmul(a, g, !ta, false);
    return Grads{ga, gb};
  }, {a, b});
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  detail::check_rank("linear", x, 2, "input");
  detail::check_rank("linear", weight, 2, "weight");
  if (x.size(1) != weight.size(1))
    detail::fail("linear", "input " + shape_str(x.shape()) + " does not fit weight " + shape_str(weight.shape()));
  Tensor y = matmul(x, weight, false, true);
  if (!bias.defined()) return y;
  if (bias.dim() != 1 || bias.size(0) != weight.size(0))
    detail::fail("linear", "bias " + shape_str(bias.shape()) + " does not fit weight " + shape_str(weight.shape()));
  return add(y, bias);
}

namespace {

ConvGeometry geometry(const char* op, const Shape& x, const Shape& w, Conv2dOptions opt) {
  if (x.size() != 4 || w.size() != 4)
    detail::fail(op, "input " + shape_str(x) + " and weight " + shape_str(w) + " must both be 4-D");
  if (x[1] != w[1]) detail::fail(op, "input " + shape_str(x) + " has " + std::to_string(x[1]) +
                                         " channels, weight " + shape_str(w) + " expects " + std::to_string(w[1]));
  if (opt.stride < 1 || opt.padding < 0) detail::fail(op, "stride must be >= 1 and padding >= 0");
  const ConvGeometry g = make_conv_geometry(x[0], x[1], x[2], x[3], w[0], w[2], w[3], opt.stride, opt.padding);
  if (g.p <= 0 || g.q <= 0)
    detail::fail(op, "kernel " + shape_str(w) + " is larger than padded input " + shape_str(x));
  return g;
}

Tensor conv2d_raw(const Tensor& x, const Tensor& w, Conv2dOptions opt) {
  detail::check_compatible("conv2d", x, w);
  const ConvGeometry g = geometry("conv2d", x.shape(), w.shape(), opt);
  Tensor y = Tensor::empty({g.n, g.k, g.p, g.q}, x.options());
  be(x).conv2d_forward(x.detach(), w.detach(), y, g);
  return record("conv2d", y, {x, w}, [opt, xs = x.shape(), ws = w.shape()](Node& n, const Tensor& gy) {
    const Tensor &x = n.saved[0], &w = n.saved[1];
    return Grads{n.needs_grad(0) ? conv2d_backward_input(gy, w, xs, opt) : Tensor(),
                 n.needs_grad(1) ? conv2d_backward_weight(x, gy, ws, opt) : Tensor()};
  }, {x, w});
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions opt) {
  Tensor y = conv2d_raw(x, weight, opt);
  if (!bias.defined()) return y;
  if (bias.dim() != 1 || bias.size(0) != weight.size(0))
    detail::fail("conv2d", "bias " + shape_str(bias.shape()) + " does not fit weight " + shape_str(weight.shape()));
  return add(y, bias.reshape({1, bias.size(0), 1, 1}));
}

Tensor conv2d_backward_input(const Tensor& gy, const Tensor& w, const Shape& input_shape, Conv2dOptions opt) {
  detail::check_compatible("conv2d_backward_input", gy, w);
  const ConvGeometry g = geometry("conv2d_backward_input", input_shape, w.shape(), opt);
  if (gy.shape() != Shape{g.n, g.k, g.p, g.q})
    detail::fail("conv2d_backward_input", "output gradient " + shape_str(gy.shape()) + " does not match the output " +
                                              shape_str({g.n, g.k, g.p, g.q}));
  Tensor gx = Tensor::empty(input_shape, gy.options());
  be(gy).conv2d_backward_input(gy.detach(), w.detach(), gx, g);
  // gx = D(gy, w) is bilinear: <h, D(gy, w)> = <conv(h, w), gy> = <w, F(h, gy)>.
  return record("conv2d_backward_input", gx, {gy, w}, [opt, ws = w.shape()](Node& n, const Tensor& h) {
    const Tensor &gy = n.saved[0], &w = n.saved[1];
    return Grads{n.needs_grad(0) ? conv2d_raw(h, w, opt) : Tensor(),
                 n.needs_grad(1) ? conv2d_backward_weight(h, gy, ws, opt) : Tensor()};
  }, {gy, w});
}

Tensor conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Shape& weight_shape, Conv2dOptions opt) {
  detail::check_compatible("conv2d_backward_weight", x, gy);
  const ConvGeometry g = geometry("conv2d_backward_weight", x.shape(), weight_shape, opt);
  if (gy.shape() != Shape{g.n, g.k, g.p, g.q})
    detail::fail("conv2d_backward_weight", "output gradient " + shape_str(gy.shape()) + " does not match the output " +
                                               shape_str({g.n, g.k, g.p, g.q}));
  Tensor gw = Tensor::empty(weight_shape, x.options());
  be(x).conv2d_backward_weight(x.detach(), gy.detach(), gw, g);
  // gw = F(x, gy) is bilinear: <H, F(x, gy)> = <conv(x, H), gy> = <x, D(gy, H)>.
  return record("conv2d_backward_weight", gw, {x, gy}, [opt, xs = x.shape()](Node& n, const Tensor& h) {
    const Tensor &x = n.saved[0], &gy = n.saved[1];
    return Grads{n.needs_grad(0) ? conv2d_backward_input(gy, h, xs, opt) : Tensor(),
                 n.needs_grad(1) ? conv2d_raw(x, h, opt) : Tensor()};
  }, {x, gy});
}

}  // namespace gg

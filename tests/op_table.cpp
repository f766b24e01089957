// The rows of the op table (tests/op_table.h), group by group, and the tolerance of each class.
#include "tests/op_table.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/ops_progan.h"
#include "tests/reference.h"
#include "tests/testing.h"

namespace gg::op_table {

Tolerance reference_tolerance(Tol tol, DType dt, std::int64_t terms) {
  const bool single = dt == DType::f32;
  switch (tol) {
    case Tol::exact:
    case Tol::transcendental: return single ? Tolerance{1e-6, 1e-6} : Tolerance{1e-14, 1e-14};
    // The reference adds in sequence, the engine in blocks: in f64 each is within about n ulps.
    case Tol::reduction:
      return single ? Tolerance{1e-6, 1e-6} : Tolerance{std::max(1e-13, static_cast<double>(terms) * std::ldexp(1.0, -53)), 1e-13};
    case Tol::composite: return single ? Tolerance{1e-6, 2e-6} : Tolerance{1e-14, 1e-14};
    case Tol::blas: return single ? Tolerance{1e-5, 1e-5} : Tolerance{1e-13, 1e-13};
  }
  return {0, 0};
}

Tolerance cuda_tolerance(Tol tol, DType dt, std::int64_t terms) {
  const bool single = dt == DType::f32;
  switch (tol) {
    case Tol::exact: return {0, 0};
    case Tol::transcendental: return single ? Tolerance{1e-6, 1e-6} : Tolerance{1e-14, 1e-14};
    case Tol::reduction: {
      if (single) return {1e-6, 1e-6};
      const double levels = std::max(1.0, std::ceil(std::log2(static_cast<double>(terms))));
      return {levels * static_cast<double>(terms) * std::ldexp(1.0, -53), 1e-14};
    }
    case Tol::composite: return single ? Tolerance{1e-5, 1e-5} : Tolerance{1e-12, 1e-12};
    case Tol::blas: return single ? Tolerance{2e-4, 2e-4} : Tolerance{1e-11, 1e-11};
  }
  return {0, 0};
}

std::int64_t summed_terms(const Inputs& inputs, const Tensor& output) {
  return std::max<std::int64_t>(1, inputs.front().numel() / std::max<std::int64_t>(1, output.numel()));
}

Inputs make_inputs(const OpCase& row, DType dt) {
  Inputs inputs;
  for (std::size_t i = 0; i < row.args.size(); ++i) {
    const Arg& a = row.args[i];
    const std::uint64_t seed = i + 1;
    Tensor x;
    switch (a.domain) {
      case Domain::normal: x = testing::random_f64(a.shape, seed, row.kinks == Kinks::at_zero ? 0.1 : 0); break;
      case Domain::positive: x = add(abs(testing::random_f64(a.shape, seed)), 0.2); break;
      case Domain::nonzero: x = testing::random_f64(a.shape, seed, 0.5); break;
      case Domain::ties: x = reference::map(testing::random_f64(a.shape, seed), [](double v) { return std::floor(v); }); break;
    }
    inputs.push_back(x.to(dt));
  }
  return inputs;
}

namespace {

using Dims = std::vector<int>;

std::string str(const Shape& s) { return shape_str(s); }
std::string str(const Dims& dims) {
  std::string out = "{";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "}";
}
std::string str(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

Arg nonzero(Shape s) { return {std::move(s), Domain::nonzero}; }

// ---- Elementwise ----

void elementwise(std::vector<OpCase>& rows) {
  for (const UnaryOpRow& u : kUnaryOps) {
    const double alpha = u.alpha;
    rows.push_back({.name = u.alpha == 0 ? std::string(u.name) : u.name + (" " + str(alpha)),
                    .group = Group::elementwise,
                    .args = {{{4, 5, 6}, u.domain}},
                    .op = [op = u.op, alpha](const Inputs& v) { return op(v[0], alpha); },
                    .reference =
                        [ref = u.reference, alpha](const Inputs& v) {
                          return reference::map(v[0], [&](double x) { return ref(x, alpha); });
                        },
                    .tol = u.tol,
                    .exact_forward = u.exact_forward,
                    .kinks = u.kinks,
                    .penalty_path = u.penalty_path});
  }

  struct Binary {
    const char* name;
    Tensor (*op)(const Tensor&, const Tensor&);
    double (*reference)(double, double);
  };
  const Binary binaries[] = {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, [](double a, double b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, [](double a, double b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, [](double a, double b) { return a * b; }},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, [](double a, double b) { return a / b; }},
  };
  // Every way two shapes broadcast: equal, a scalar either side, per channel, trailing dims,
  // both operands stretched, and one long pair for the GPU's grid-stride loops.
  const std::pair<Shape, Shape> shapes[] = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {}},           {{}, {2, 3, 4, 5}},    {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {5}},          {{4, 1}, {2, 1, 3}},         {{6, 7}, {6, 1}},      {{3, 1, 5}, {1, 4, 1}},
      {{2, 3, 4, 5}, {2, 1, 4, 1}}, {{1, 3, 1, 1}, {2, 3, 4, 5}}, {{1 << 16}, {1 << 16}}};
  for (const Binary& b : binaries)
    for (const auto& [sa, sb] : shapes) {
      const bool small = shape_numel(sa) + shape_numel(sb) < 1000;
      // Gradients of broadcast operands are sums (sum_to), accumulated in double in another order.
      rows.push_back({.name = std::string(b.name) + " " + str(sa) + " and " + str(sb),
                      .group = Group::elementwise,
                      .args = {{sa}, nonzero(sb)},
                      .op = [op = b.op](const Inputs& v) { return op(v[0], v[1]); },
                      .reference = [ref = b.reference](const Inputs& v) { return reference::broadcast(v[0], v[1], ref); },
                      .tol = Tol::transcendental,
                      .exact_forward = true,
                      .penalty_path = small,
                      .gradcheck = small});
    }

  auto lerp_ref = [](const Tensor& a, const Tensor& b, const Tensor& t) {
    const Tensor step = reference::broadcast(reference::broadcast(b, a, [](double x, double y) { return x - y; }), t,
                                             [](double x, double y) { return x * y; });
    return reference::broadcast(a, step, [](double x, double y) { return x + y; });
  };
  rows.push_back({.name = "lerp t = 0.3",
                  .group = Group::elementwise,
                  .args = {{{6, 7}}, {{6, 7}}},
                  .op = [](const Inputs& v) { return lerp(v[0], v[1], 0.3); },
                  .reference = [lerp_ref](const Inputs& v) { return lerp_ref(v[0], v[1], Tensor::scalar(0.3, testing::f64())); },
                  .tol = Tol::composite,
                  .penalty_path = true});
  rows.push_back({.name = "lerp t (1, 5)",
                  .group = Group::elementwise,
                  .args = {{{3, 5}}, {{3, 5}}, {{1, 5}}},
                  .op = [](const Inputs& v) { return lerp(v[0], v[1], v[2]); },
                  .reference = [lerp_ref](const Inputs& v) { return lerp_ref(v[0], v[1], v[2]); },
                  .tol = Tol::composite,
                  .penalty_path = true});
  // Its gradient is by design not its forward's (-lambda times it): tests/test_robustness.cpp
  // checks it against central differences of the forward without the reversal.
  rows.push_back({.name = "gradient_reversal lambda 0.7",
                  .group = Group::elementwise,
                  .args = {{{4, 5, 6}}},
                  .op = [](const Inputs& v) { return gradient_reversal(v[0], 0.7); },
                  .reference = [](const Inputs& v) { return reference::map(v[0], [](double x) { return x; }); },
                  .tol = Tol::exact,
                  .exact_forward = true,
                  .gradcheck = false});
}

// ---- Reductions, broadcasting and shape ----

void reductions_and_shapes(std::vector<OpCase>& rows) {
  auto mean_ref = [](const Tensor& x, const Dims& dims, bool keepdim) {
    const Tensor s = reference::sum(x, dims, keepdim);
    const double count = static_cast<double>(x.numel()) / static_cast<double>(s.numel());
    return reference::map(s, [count](double v) { return v / count; });
  };
  auto sum_and_mean = [&](const Shape& shape, const Dims& dims, bool small) {
    rows.push_back({.name = "sum " + str(shape) + " over " + str(dims) + " keepdim",
                    .group = Group::reduction_shape,
                    .args = {{shape}},
                    .op = [dims](const Inputs& v) { return sum(v[0], dims, true); },
                    .reference = [dims](const Inputs& v) { return reference::sum(v[0], dims, true); },
                    .tol = Tol::reduction,
                    .penalty_path = small,
                    .gradcheck = small});
    rows.push_back({.name = "mean " + str(shape) + " over " + str(dims),
                    .group = Group::reduction_shape,
                    .args = {{shape}},
                    .op = [dims](const Inputs& v) { return mean(v[0], dims, false); },
                    .reference = [dims, mean_ref](const Inputs& v) { return mean_ref(v[0], dims, false); },
                    .tol = Tol::reduction,
                    .penalty_path = small,
                    .gradcheck = small});
  };
  for (const Dims& dims : {Dims{0}, Dims{1}, Dims{2}, Dims{3}, Dims{0, 2, 3}, Dims{2, 3}, Dims{0, 1}, Dims{1, 3},
                           Dims{0, 1, 2, 3}, Dims{-1}})
    sum_and_mean({3, 4, 5, 6}, dims, true);
  // The GPU's reduction plans: all of a long vector (segmented block sums), down the columns
  // (segmented thread sums), a conv bias gradient, long per-channel sums, and small odd ones.
  sum_and_mean({1 << 20}, {0}, false);
  sum_and_mean({4096, 64}, {0}, false);
  sum_and_mean({16, 256, 8, 8}, {0, 2, 3}, false);
  sum_and_mean({4, 64, 32, 32}, {0, 2, 3}, false);
  sum_and_mean({3, 5, 7}, {1}, true);
  sum_and_mean({7}, {0}, true);
  rows.push_back({.name = "sum all (1, 3, 1, 5)",
                  .group = Group::reduction_shape,
                  .args = {{{1, 3, 1, 5}}},
                  .op = [](const Inputs& v) { return sum(v[0]); },
                  .reference = [](const Inputs& v) { return reference::sum(v[0], {0, 1, 2, 3}, false); },
                  .tol = Tol::reduction,
                  .penalty_path = true});
  rows.push_back({.name = "mean all (2, 3, 4, 2)",
                  .group = Group::reduction_shape,
                  .args = {{{2, 3, 4, 2}}},
                  .op = [](const Inputs& v) { return mean(v[0]); },
                  .reference = [mean_ref](const Inputs& v) { return mean_ref(v[0], {0, 1, 2, 3}, false); },
                  .tol = Tol::reduction,
                  .penalty_path = true});

  auto broadcast_ref = [](const Tensor& x, const Shape& to) {
    return reference::broadcast(x, Tensor::zeros(to, testing::f64()), [](double a, double) { return a; });
  };
  for (const auto& [from, to] : {std::pair<Shape, Shape>{{1, 3, 1, 5}, {2, 3, 4, 5}}, {{3, 1, 2}, {2, 3, 4, 2}}}) {
    // The gradient sums the stretched dims.
    rows.push_back({.name = "broadcast_to " + str(from) + " to " + str(to),
                    .group = Group::reduction_shape,
                    .args = {{from}},
                    .op = [to](const Inputs& v) { return broadcast_to(v[0], to); },
                    .reference = [to, broadcast_ref](const Inputs& v) { return broadcast_ref(v[0], to); },
                    .tol = Tol::transcendental,
                    .exact_forward = true,
                    .penalty_path = true});
  }
  rows.push_back({.name = "sum_to (2, 3, 4, 2) to (3, 1, 2)",
                  .group = Group::reduction_shape,
                  .args = {{{2, 3, 4, 2}}},
                  .op = [](const Inputs& v) { return sum_to(v[0], {3, 1, 2}); },
                  .reference = [](const Inputs& v) { return reference::sum(v[0], {0, 2}, true).reshape({3, 1, 2}); },
                  .tol = Tol::reduction,
                  .penalty_path = true});
  rows.push_back({.name = "reshape (2, 3, 4, 2) to (6, 8)",
                  .group = Group::reduction_shape,
                  .args = {{{2, 3, 4, 2}}},
                  .op = [](const Inputs& v) { return v[0].reshape({6, 8}); },
                  .reference = [](const Inputs& v) { return reference::make(reference::values(v[0]), {6, 8}); },
                  .penalty_path = true});
  rows.push_back({.name = "clone (2, 3, 4, 2)",
                  .group = Group::reduction_shape,
                  .args = {{{2, 3, 4, 2}}},
                  .op = [](const Inputs& v) { return v[0].clone(); },
                  .reference = [](const Inputs& v) { return v[0]; }});

  struct Concat {
    Shape a, b;
    int dim;
  };
  for (const Concat& c : {Concat{{2, 3, 4, 4}, {2, 1, 4, 4}, 1}, Concat{{2, 3, 4, 4}, {2, 3, 4, 4}, 0},
                          Concat{{2, 3, 4, 2}, {2, 1, 4, 2}, 1}, Concat{{2, 1, 3}, {2, 2, 3}, 1},
                          Concat{{2, 3, 1}, {2, 3, 3}, 2}, Concat{{1, 3, 4}, {1, 3, 4}, 0}}) {
    const int dim = c.dim;
    rows.push_back({.name = "concat " + str(c.a) + " and " + str(c.b) + " along " + std::to_string(dim),
                    .group = Group::reduction_shape,
                    .args = {{c.a}, {c.b}},
                    .op = [dim](const Inputs& v) { return concat({v[0], v[1]}, dim); },
                    .reference = [dim](const Inputs& v) { return reference::concat(v[0], v[1], dim); },
                    .penalty_path = true});
  }
  struct Slice {
    Shape x;
    int dim;
    std::int64_t start, end;
  };
  for (const Slice& s : {Slice{{2, 3, 4, 4}, 1, 1, 3}, Slice{{2, 3, 4, 4}, 3, 2, 3}, Slice{{2, 3, 4, 2}, 2, 1, 3},
                         Slice{{2, 3, 4}, 0, 1, 2}, Slice{{2, 3, 4}, 2, 0, 4}}) {
    rows.push_back({.name = "slice " + str(s.x) + " dim " + std::to_string(s.dim) + " [" + std::to_string(s.start) + ", " +
                            std::to_string(s.end) + ")",
                    .group = Group::reduction_shape,
                    .args = {{s.x}},
                    .op = [s](const Inputs& v) { return slice(v[0], s.dim, s.start, s.end); },
                    .reference = [s](const Inputs& v) { return reference::slice(v[0], s.dim, s.start, s.end); },
                    .penalty_path = true});
  }
}

// ---- Linear algebra and convolution ----

void linalg_and_conv(std::vector<OpCase>& rows) {
  // (M, K) x (K, N), each operand stored transposed or not.
  auto matmul_rows = [&](std::int64_t m, std::int64_t k, std::int64_t n, bool small) {
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        const Shape sa = ta ? Shape{k, m} : Shape{m, k}, sb = tb ? Shape{n, k} : Shape{k, n};
        rows.push_back({.name = "matmul " + str(sa) + (ta ? "^T" : "") + " x " + str(sb) + (tb ? "^T" : ""),
                        .group = Group::linalg_conv,
                        .args = {{sa}, {sb}},
                        .op = [ta, tb](const Inputs& v) { return matmul(v[0], v[1], ta, tb); },
                        .reference =
                            [ta, tb](const Inputs& v) {
                              return reference::matmul(ta ? reference::transpose(v[0]) : v[0],
                                                       tb ? reference::transpose(v[1]) : v[1]);
                            },
                        .tol = Tol::blas,
                        .penalty_path = small,
                        .gradcheck = small});
      }
  };
  matmul_rows(7, 5, 9, true);
  matmul_rows(37, 53, 29, false);
  rows.push_back({.name = "matmul (1, 0) x (3, 0)^T: empty inner dim",
                  .group = Group::linalg_conv,
                  .args = {{{1, 0}}, {{3, 0}}},
                  .op = [](const Inputs& v) { return matmul(v[0], v[1], false, true); },
                  .reference = [](const Inputs&) { return Tensor::zeros({1, 3}, testing::f64()); },
                  .tol = Tol::blas,
                  .gradcheck = false});

  auto linear_ref = [](const Inputs& v) {
    const Tensor y = reference::matmul(v[0], reference::transpose(v[1]));
    return v.size() > 2 ? reference::broadcast(y, v[2], [](double a, double b) { return a + b; }) : y;
  };
  struct Linear {
    std::int64_t batch, in, out;
    bool bias, small;
  };
  for (const Linear& l : {Linear{3, 4, 2, true, true}, Linear{3, 4, 2, false, true}, Linear{7, 5, 9, true, true},
                          Linear{16, 40, 24, true, false}}) {
    std::vector<Arg> args = {{{l.batch, l.in}}, {{l.out, l.in}}};
    if (l.bias) args.push_back({{l.out}});
    rows.push_back({.name = "linear " + str(Shape{l.batch, l.in}) + " to " + std::to_string(l.out) + (l.bias ? "" : " no bias"),
                    .group = Group::linalg_conv,
                    .args = args,
                    .op = [](const Inputs& v) { return linear(v[0], v[1], v.size() > 2 ? v[2] : Tensor()); },
                    .reference = linear_ref,
                    .tol = Tol::blas,
                    .penalty_path = l.small,
                    .gradcheck = l.small});
  }

  struct Conv {
    Shape x, w;
    Conv2dOptions opt;
    bool bias = true;
    bool gradcheck = true;
    bool penalty_path = false;
  };
  // Kernels 1x1 to 5x5, strides 1 to 3, paddings 0 to 2; (20, ...) runs in batch chunks, (5, 2,
  // 32, 32) through the large-image path; the last two are the gradient-penalty path's.
  const Conv convs[] = {
      {{2, 3, 8, 8}, {4, 3, 3, 3}, {1, 1}},
      {{2, 3, 8, 8}, {4, 3, 3, 3}, {1, 1}, false},
      {{3, 2, 7, 9}, {5, 2, 3, 3}, {2, 1}},
      {{2, 4, 6, 6}, {3, 4, 1, 1}, {1, 0}},
      {{1, 2, 9, 9}, {2, 2, 4, 4}, {1, 0}},
      {{2, 3, 4, 4}, {6, 3, 4, 4}, {1, 0}},
      {{5, 2, 32, 32}, {3, 2, 3, 3}, {1, 1}, true, false},
      {{20, 2, 4, 4}, {3, 2, 3, 3}, {1, 1}},
      {{2, 1, 5, 5}, {1, 1, 5, 5}, {1, 2}},
      {{2, 3, 8, 8}, {4, 3, 3, 3}, {3, 2}},
      {{2, 3, 9, 9}, {4, 3, 3, 3}, {2, 0}},
      {{3, 8, 4, 4}, {16, 8, 1, 1}, {1, 0}},
      {{2, 16, 8, 8}, {8, 16, 3, 3}, {1, 1}, true, false},
      {{1, 4, 7, 5}, {2, 4, 4, 4}, {2, 2}},
      {{2, 2, 5, 5}, {3, 2, 3, 3}, {1, 1}},
      {{2, 2, 5, 5}, {3, 2, 3, 3}, {2, 1}},
      {{2, 2, 5, 5}, {3, 2, 3, 3}, {1, 0}},
      {{2, 2, 4, 4}, {3, 2, 3, 3}, {1, 1}, true, true, true},
      {{2, 2, 4, 4}, {3, 2, 3, 3}, {2, 1}, false, true, true},
  };
  for (const Conv& c : convs) {
    const Conv2dOptions opt = c.opt;
    std::vector<Arg> args = {{c.x}, {c.w}};
    if (c.bias) args.push_back({{c.w[0]}});
    rows.push_back({.name = "conv2d " + str(c.x) + " * " + str(c.w) + " stride " + std::to_string(opt.stride) + " pad " +
                            std::to_string(opt.padding) + (c.bias ? "" : " no bias"),
                    .group = Group::linalg_conv,
                    .args = args,
                    .op = [opt](const Inputs& v) { return conv2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor(), opt); },
                    .reference =
                        [opt](const Inputs& v) {
                          const Tensor y = reference::conv2d(v[0], v[1], opt.stride, opt.padding);
                          if (v.size() < 3) return y;
                          return reference::broadcast(y, v[2].reshape({1, v[2].numel(), 1, 1}),
                                                      [](double a, double b) { return a + b; });
                        },
                    .tol = Tol::blas,
                    .penalty_path = c.penalty_path,
                    .gradcheck = c.gradcheck});
  }
  // conv2d's adjoints are ops of their own (so their gradients can be recorded); their forward is
  // checked against conv2d by the adjoint identity in tests/test_ops_forward.cpp.
  const Shape xs{2, 2, 5, 5}, ws{3, 2, 3, 3};
  rows.push_back({.name = "conv2d_backward_input (2, 3, 5, 5) * (3, 2, 3, 3)",
                  .group = Group::linalg_conv,
                  .args = {{{2, 3, 5, 5}}, {ws}},
                  .op = [xs](const Inputs& v) { return conv2d_backward_input(v[0], v[1], xs, {1, 1}); },
                  .tol = Tol::blas});
  rows.push_back({.name = "conv2d_backward_weight (2, 2, 5, 5) and (2, 3, 5, 5)",
                  .group = Group::linalg_conv,
                  .args = {{xs}, {{2, 3, 5, 5}}},
                  .op = [ws](const Inputs& v) { return conv2d_backward_weight(v[0], v[1], ws, {1, 1}); },
                  .tol = Tol::blas});
}

// ---- Pooling, resampling, softmax, losses, normalization ----

void nn(std::vector<OpCase>& rows) {
  auto avg = [](double a, double b, double c, double d) { return (a + b + c + d) / 4; };
  auto max = [](double a, double b, double c, double d) { return std::max({a, b, c, d}); };
  for (const Shape& s : {Shape{2, 3, 6, 8}, Shape{2, 3, 8, 6}}) {
    const bool penalty = s[2] == 6;
    rows.push_back({.name = "avg_pool2x2 " + str(s),
                    .group = Group::nn,
                    .args = {{s}},
                    .op = [](const Inputs& v) { return avg_pool2x2(v[0]); },
                    .reference = [avg](const Inputs& v) { return reference::pool2x2(v[0], avg); },
                    .penalty_path = penalty});
    rows.push_back({.name = "max_pool2x2 " + str(s),
                    .group = Group::nn,
                    .args = {{s}},
                    .op = [](const Inputs& v) { return max_pool2x2(v[0]); },
                    .reference = [max](const Inputs& v) { return reference::pool2x2(v[0], max); },
                    .kinks = Kinks::inside});
    // The gradient of each output sums four.
    rows.push_back({.name = "upsample_nearest2x " + str(s),
                    .group = Group::nn,
                    .args = {{s}},
                    .op = [](const Inputs& v) { return upsample_nearest2x(v[0]); },
                    .reference = [](const Inputs& v) { return reference::upsample2x(v[0]); },
                    .tol = Tol::transcendental,
                    .penalty_path = penalty});
  }
  // Ties: max pooling routes the gradient to the first maximum on both backends. Every window
  // straddles kinks, so no central differences.
  rows.push_back({.name = "max_pool2x2 (2, 3, 8, 6) with ties",
                  .group = Group::nn,
                  .args = {{{2, 3, 8, 6}, Domain::ties}},
                  .op = [](const Inputs& v) { return max_pool2x2(v[0]); },
                  .reference = [max](const Inputs& v) { return reference::pool2x2(v[0], max); },
                  .gradcheck = false});

  for (const Shape& s : {Shape{5, 7}, Shape{37, 22}, Shape{5, 300}, Shape{3, 5}})
    rows.push_back({.name = "log_softmax " + str(s),
                    .group = Group::nn,
                    .args = {{s}},
                    .op = [](const Inputs& v) { return log_softmax(v[0]); },
                    .reference = [](const Inputs& v) { return reference::log_softmax(v[0]); },
                    .tol = Tol::composite});

  struct CrossEntropy {
    Shape logits;
    std::vector<int> labels;
    std::vector<double> weights;
  };
  std::vector<int> many(37);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int>((i * 7) % 22);
  for (const CrossEntropy& c : {CrossEntropy{{5, 7}, {0, 6, 3, 3, 1}, {}}, CrossEntropy{{5, 7}, {0, 6, 3, 3, 1}, {1, 2, 1, 0.5, 1, 1, 3}},
                                CrossEntropy{{37, 22}, many, {}}, CrossEntropy{{3, 5}, {1, 4, 0}, {}},
                                CrossEntropy{{3, 5}, {1, 4, 0}, {1, 2, 3, 1, 0.5}}}) {
    rows.push_back({.name = "cross_entropy " + str(c.logits) + (c.weights.empty() ? "" : " weighted"),
                    .group = Group::nn,
                    .args = {{c.logits}},
                    .op = [c](const Inputs& v) { return cross_entropy(v[0], c.labels, c.weights); },
                    .reference = [c](const Inputs& v) { return reference::cross_entropy(v[0], c.labels, c.weights); },
                    .tol = Tol::composite});
  }
  for (const Shape& s : {Shape{6, 7}, Shape{4, 3}})
    rows.push_back({.name = "mse_loss " + str(s),
                    .group = Group::nn,
                    .args = {{s}, {s}},
                    .op = [](const Inputs& v) { return mse_loss(v[0], v[1]); },
                    .reference = [](const Inputs& v) { return reference::mse(v[0], v[1]); },
                    .tol = Tol::composite});

  // Batch norm in training: the fused kernels, with and without the ReLU, and the composition of
  // basic ops that defines them. (3, 4, 5, 7): runs of 35, not a multiple of a vector's width;
  // (37, 5): runs of one; (16, 3, 48, 48): large enough for the CPU kernel to use threads. The
  // smallest rows have their second-order check too (penalty_path): a recorded backward is made of
  // ops.
  using BatchNormFn = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, BatchNormState&, bool);
  struct BatchNormVersion {
    const char* name;
    BatchNormFn fn;
    bool relu;
  };
  const Shape bn_shapes[] = {{8, 3, 4, 4}, {8, 5, 4, 4}, {4, 2, 3, 3}, {6, 4}, {3, 4, 5, 7}, {37, 5}, {16, 3, 48, 48}};
  for (const BatchNormVersion& version : {BatchNormVersion{"batch_norm", batch_norm, false},
                                          BatchNormVersion{"batch_norm_relu", batch_norm_relu, true},
                                          BatchNormVersion{"unfused::batch_norm", unfused::batch_norm, false}}) {
    for (const Shape& s : bn_shapes) {
      const Shape c{s[1]};
      const std::int64_t n = shape_numel(s);
      rows.push_back({.name = std::string(version.name) + " training " + str(s),
                      .group = Group::nn,
                      .args = {{s}, {c}, {c}},
                      .op =
                          [c, fn = version.fn](const Inputs& v) {
                            BatchNormState st{Tensor::zeros(c, v[0].options()), Tensor::ones(c, v[0].options())};
                            return fn(v[0], v[1], v[2], st, true);
                          },
                      .reference =
                          [relu = version.relu](const Inputs& v) {
                            const Tensor y = reference::batch_norm(v[0], v[1], v[2], 1e-5);
                            return relu ? reference::map(y, [](double z) { return z > 0 ? z : 0.0; }) : y;
                          },
                      .tol = Tol::composite,
                      .kinks = version.relu ? Kinks::inside : Kinks::none,
                      .penalty_path = n <= 72,
                      .gradcheck = n <= 640});
    }
  }
  // Batch norm in evaluation: the running statistics (the last two inputs) folded into a scale and
  // a shift. Without a recorded graph (the forward and CUDA tests) one kernel applies them; with
  // one (the gradient checks) the composed ops do; tests/test_ops_forward.cpp holds the two equal
  // bit for bit.
  for (const BatchNormVersion& version : {BatchNormVersion{"batch_norm", batch_norm, false},
                                          BatchNormVersion{"batch_norm_relu", batch_norm_relu, true}}) {
    for (const Shape& s : {Shape{3, 4, 5, 7}, Shape{37, 5}, Shape{16, 3, 48, 48}}) {
      const Shape c{s[1]};
      rows.push_back({.name = std::string(version.name) + " evaluation " + str(s),
                      .group = Group::nn,
                      .args = {{s}, {c}, {c}, {c}, {c, Domain::positive}},
                      .op =
                          [fn = version.fn](const Inputs& v) {
                            BatchNormState st{v[3], v[4]};
                            return fn(v[0], v[1], v[2], st, false);
                          },
                      .reference =
                          [relu = version.relu](const Inputs& v) {
                            const Tensor y = reference::batch_norm_evaluation(v[0], v[1], v[2], v[3], v[4], 1e-5);
                            return relu ? reference::map(y, [](double z) { return z > 0 ? z : 0.0; }) : y;
                          },
                      .tol = Tol::composite,
                      .exact_forward = true,
                      .kinks = version.relu ? Kinks::inside : Kinks::none,
                      .gradcheck = shape_numel(s) <= 640});
    }
  }
  // Its statistics are a special test; here the gradient through one fixed mask, the same on
  // both backends (Philox).
  rows.push_back({.name = "dropout (4, 6) p = 0.4",
                  .group = Group::nn,
                  .args = {{{4, 6}}},
                  .op =
                      [](const Inputs& v) {
                        Generator gen(5);
                        return dropout(v[0], 0.4, true, gen);
                      }});
}

// ---- ProGAN's fused ops, against the unfused compositions that define them ----
// Composites: a fused kernel differs from its composition by roundings only. On CUDA they are
// checked by tests/test_cuda_progan.cpp, against the CPU replay of the GPU's summation order too,
// so cuda is false here.

void progan(std::vector<OpCase>& rows) {
  auto row = [&](std::string name, std::vector<Arg> args, Fn op, Fn ref, bool small, Kinks kinks = Kinks::none) {
    rows.push_back({.name = std::move(name),
                    .group = Group::progan,
                    .args = std::move(args),
                    .op = std::move(op),
                    .reference = std::move(ref),
                    .tol = Tol::composite,
                    .kinks = kinks,
                    .penalty_path = small,
                    .gradcheck = small,
                    .cuda = false});
  };
  // (2, 300, 17, 1): the tiled kernel's edges.
  for (const Shape& s : {Shape{8, 5, 6, 6}, Shape{3, 37}, Shape{2, 300, 17, 1}, Shape{4, 3, 4, 4}, Shape{3, 5}}) {
    const bool small = shape_numel(s) <= 192;
    row("pixel_norm " + str(s), {{s}}, [](const Inputs& v) { return pixel_norm(v[0]); },
        [](const Inputs& v) { return unfused::pixel_norm(v[0]); }, small);
  }
  struct Stddev {
    Shape x;
    int group;
    bool small;
  };
  // (4, 33, 8, 8): several feature chunks per group.
  for (const Stddev& s : {Stddev{{8, 5, 6, 6}, 4, false}, Stddev{{8, 5, 6, 6}, 2, false}, Stddev{{8, 5, 6, 6}, 1, false},
                          Stddev{{8, 5, 6, 6}, 16, false}, Stddev{{4, 33, 8, 8}, 4, false}, Stddev{{4, 3, 4, 4}, 4, true},
                          Stddev{{4, 3, 4, 4}, 2, true}}) {
    const int g = s.group;
    row("minibatch_stddev " + str(s.x) + " group " + std::to_string(g), {{s.x}},
        [g](const Inputs& v) { return minibatch_stddev(v[0], g); },
        [g](const Inputs& v) { return unfused::minibatch_stddev(v[0], g); }, s.small);
  }

  struct Equalized {
    const char* name;
    EqualizedOptions opt;
  };
  const Equalized options[] = {{"", {}},
                               {" lrelu", {.leaky_relu = true}},
                               {" lrelu down", {.leaky_relu = true, .downscale = true}},
                               {" gain 1 down", {.gain = 1, .downscale = true}},
                               {" lrelu up", {.leaky_relu = true, .upscale = true}},
                               {" gain 1 up", {.gain = 1, .upscale = true}}};
  struct ConvShapes {
    Shape x, w;
    bool small;
  };
  for (const ConvShapes& c : {ConvShapes{{8, 5, 6, 6}, {4, 5, 3, 3}, false}, ConvShapes{{8, 5, 6, 6}, {3, 5, 1, 1}, false},
                              ConvShapes{{4, 3, 4, 4}, {2, 3, 3, 3}, true}})
    for (const Equalized& e : options) {
      const EqualizedOptions o = e.opt;
      if (c.small && o.gain == 1) continue;
      row("equalized_conv2d " + str(c.x) + " * " + str(c.w) + e.name, {{c.x}, {c.w}, {{c.w[0]}}},
          [o](const Inputs& v) { return equalized_conv2d(v[0], v[1], v[2], o); },
          [o](const Inputs& v) { return unfused::equalized_conv2d(v[0], v[1], v[2], o); }, c.small,
          o.leaky_relu ? Kinks::inside : Kinks::none);
    }
  struct LinearShapes {
    Shape x, w, b;
    bool leaky, small;
  };
  // A bias of (3) for 6 outputs: one bias per run of 2, as G's first layer.
  for (const LinearShapes& l : {LinearShapes{{3, 37}, {6, 37}, {6}, false, false}, LinearShapes{{3, 37}, {6, 37}, {6}, true, false},
                                LinearShapes{{3, 37}, {6, 37}, {3}, true, false}, LinearShapes{{3, 5}, {4, 5}, {4}, true, true},
                                LinearShapes{{3, 5}, {4, 5}, {2}, true, true}}) {
    const EqualizedOptions o{.leaky_relu = l.leaky};
    row("equalized_linear " + str(l.x) + " * " + str(l.w) + " bias " + str(l.b) + (l.leaky ? " lrelu" : ""),
        {{l.x}, {l.w}, {l.b}}, [o](const Inputs& v) { return equalized_linear(v[0], v[1], v[2], o); },
        [o](const Inputs& v) { return unfused::equalized_linear(v[0], v[1], v[2], o); }, l.small,
        l.leaky ? Kinks::inside : Kinks::none);
  }
  // D's conv1_down kernel (3x3 -> 4x4), a 1x1 and a 5x5 one.
  for (const Shape& s : {Shape{5, 4, 3, 3}, Shape{2, 3, 3, 3}, Shape{3, 2, 1, 1}, Shape{2, 2, 5, 5}}) {
    const bool small = shape_numel(s) <= 100;
    row("downscale_kernel " + str(s), {{s}}, [](const Inputs& v) { return downscale_kernel(v[0]); },
        [](const Inputs& v) { return unfused::downscale_kernel(v[0]); }, small);
  }
  // G's conv0_up kernel (3x3 -> 4x4, channel axes swapped), a 1x1 and a 5x5 one.
  for (const Shape& s : {Shape{5, 4, 3, 3}, Shape{2, 3, 3, 3}, Shape{3, 2, 1, 1}, Shape{2, 3, 5, 5}}) {
    const bool small = shape_numel(s) <= 100;
    row("upscale_kernel " + str(s), {{s}}, [](const Inputs& v) { return upscale_kernel(v[0]); },
        [](const Inputs& v) { return unfused::upscale_kernel(v[0]); }, small);
  }
  for (const double alpha : {0.0, 0.3, 1.0})
    for (const Shape& s : {Shape{8, 5, 6, 6}, Shape{4, 3, 4, 4}}) {
      const bool small = s[0] == 4;
      if (small && alpha != 0.3) continue;
      row("fade_in " + str(s) + " alpha " + str(alpha), {{s}, {s}},
          [alpha](const Inputs& v) { return fade_in(alpha, v[0], v[1]); },
          [alpha](const Inputs& v) { return unfused::fade_in(alpha, v[0], v[1]); }, small);
    }
}

}  // namespace

const std::vector<OpCase>& op_cases() {
  static const std::vector<OpCase> rows = [] {
    std::vector<OpCase> r;
    elementwise(r);
    reductions_and_shapes(r);
    linalg_and_conv(r);
    nn(r);
    progan(r);
    return r;
  }();
  return rows;
}

}  // namespace gg::op_table

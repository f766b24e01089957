#include "tests/testing.h"

#include <cmath>
#include <sstream>

namespace gg::testing {

namespace {

// |a - b| in units of the tolerance; exact equality is always 0 (even with zero tolerances).
double excess(double a, double b, double atol, double rtol) {
  const double diff = std::fabs(a - b);
  if (diff == 0) return 0;
  const double r = diff / (atol + rtol * std::fabs(b));
  return std::isnan(r) ? INFINITY : r;
}

}  // namespace

void check_close(const Tensor& actual, const Tensor& expected, double atol, double rtol) {
  REQUIRE(actual.shape() == expected.shape());
  const auto va = actual.to_vector<double>(), vb = expected.to_vector<double>();
  std::size_t worst_i = 0;
  double worst = 0;
  for (std::size_t i = 0; i < va.size(); ++i) {
    const double r = excess(va[i], vb[i], atol, rtol);
    if (r > worst) {
      worst = r;
      worst_i = i;
    }
  }
  INFO("worst element " << worst_i << ": actual " << (va.empty() ? 0 : va[worst_i]) << ", expected "
                        << (vb.empty() ? 0 : vb[worst_i]) << " (shape " << shape_str(actual.shape()) << ")");
  CHECK(worst <= 1.0);
}

Tensor random_f64(const Shape& shape, std::uint64_t seed, double margin) {
  Generator gen(seed);
  Tensor t = Tensor::randn(shape, gen, f64());
  if (margin > 0) {
    double* p = t.data<double>();
    for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] >= 0 ? p[i] + margin : p[i] - margin;
  }
  return t;
}

namespace {

std::vector<Tensor> fresh_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) {
    REQUIRE(x.dtype() == DType::f64);
    Tensor leaf = x.detach().clone();
    leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  return leaves;
}

// Central differences of the scalar function s at every element of every leaf, with kink detection.
void compare_numeric(const std::function<double()>& s, const std::vector<Tensor>& leaves,
                     const std::vector<Tensor>& analytic, const GradCheckOptions& opt, const char* what) {
  std::int64_t checked = 0, kinks = 0;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    double* x = leaves[i].data<double>();
    const std::vector<double> a =
        analytic[i].defined() ? analytic[i].to_vector<double>() : std::vector<double>(static_cast<std::size_t>(leaves[i].numel()), 0.0);
    for (std::int64_t j = 0; j < leaves[i].numel(); ++j) {
      const double orig = x[j];
      const double f0 = s();
      x[j] = orig + opt.eps;
      const double fp = s();
      x[j] = orig - opt.eps;
      const double fm = s();
      x[j] = orig;
      const double forward = (fp - f0) / opt.eps, backward = (f0 - fm) / opt.eps;
      if (std::fabs(forward - backward) > 1e-3 * (1 + std::fabs(forward))) {
        ++kinks;
        continue;
      }
      const double numeric = (fp - fm) / (2 * opt.eps);
      const double an = a[static_cast<std::size_t>(j)];
      INFO(what << ": input " << i << " element " << j << ": analytic " << an << ", numeric " << numeric);
      CHECK(std::fabs(an - numeric) <= opt.atol + opt.rtol * std::fabs(numeric));
      ++checked;
    }
  }
  INFO(what << ": " << kinks << " elements on kinks, " << checked << " checked");
  CHECK(checked > 0);
  CHECK(static_cast<double>(kinks) <= opt.max_kink_share * static_cast<double>(checked + kinks));
}

Tensor projection_of(const Tensor& out, std::uint64_t seed) { return random_f64(out.shape(), seed); }

}  // namespace

void check_gradients(const Fn& f, const std::vector<Tensor>& inputs, GradCheckOptions opt) {
  std::vector<Tensor> leaves = fresh_leaves(inputs);
  const Tensor out = f(leaves);
  const Tensor v = projection_of(out, 1234);
  const std::vector<Tensor> analytic = grad({sum(mul(out, v))}, leaves, {}, {.allow_unused = true});
  // Evaluated with grad mode on, so functions that take gradients inside (penalties) work.
  auto s = [&] { return sum(mul(f(leaves), v)).item(); };
  compare_numeric(s, leaves, analytic, opt, "first order");
}

void check_second_order(const Fn& f, const std::vector<Tensor>& inputs, GradCheckOptions opt) {
  std::vector<Tensor> leaves = fresh_leaves(inputs);
  const Tensor v = projection_of(f(leaves), 1234);
  std::vector<Tensor> w;
  for (std::size_t i = 0; i < leaves.size(); ++i) w.push_back(random_f64(leaves[i].shape(), 777 + i));
  // h(x) = sum_i <grad_i(x), w_i>, built with create_graph so it can be differentiated.
  auto h = [&](bool create_graph) {
    const Tensor out = f(leaves);
    const std::vector<Tensor> g =
        grad({sum(mul(out, v))}, leaves, {}, {.create_graph = create_graph, .allow_unused = true});
    Tensor total = Tensor::scalar(0.0, f64());
    for (std::size_t i = 0; i < g.size(); ++i)
      if (g[i].defined()) total = add(total, sum(mul(g[i], w[i])));
    return total;
  };
  const Tensor h0 = h(true);
  std::vector<Tensor> analytic(leaves.size());
  if (h0.requires_grad()) analytic = grad({h0}, leaves, {}, {.allow_unused = true});
  compare_numeric([&] { return h(false).item(); }, leaves, analytic, opt, "second order");
}

}  // namespace gg::testing

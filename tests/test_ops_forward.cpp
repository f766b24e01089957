// Every op's forward result against a plain reference, in f32 and f64.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "tests/reference.h"
#include "tests/testing.h"

using namespace gg;
using gg::testing::check_close;
using gg::testing::random_f64;

namespace {

// Reference broadcasting: element-by-element index arithmetic, nothing clever.
template <typename F>
Tensor broadcast_ref(const Tensor& a, const Tensor& b, F f) {
  const std::size_t rank = std::max(a.shape().size(), b.shape().size());
  Shape sa(rank - a.shape().size(), 1), sb(rank - b.shape().size(), 1), so(rank);
  sa.insert(sa.end(), a.shape().begin(), a.shape().end());
  sb.insert(sb.end(), b.shape().begin(), b.shape().end());
  for (std::size_t i = 0; i < rank; ++i) so[i] = std::max(sa[i], sb[i]);
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  std::vector<double> out(static_cast<std::size_t>(shape_numel(so)));
  for (std::int64_t flat = 0; flat < shape_numel(so); ++flat) {
    std::int64_t rem = flat, ia = 0, ib = 0, stride_a = 1, stride_b = 1;
    for (std::size_t d = rank; d-- > 0;) {
      const std::int64_t idx = rem % so[d];
      rem /= so[d];
      ia += (sa[d] == 1 ? 0 : idx) * stride_a;
      ib += (sb[d] == 1 ? 0 : idx) * stride_b;
      stride_a *= sa[d];
      stride_b *= sb[d];
    }
    out[static_cast<std::size_t>(flat)] = f(va[static_cast<std::size_t>(ia)], vb[static_cast<std::size_t>(ib)]);
  }
  return Tensor::from_vector(out, so);
}

Tensor as(const Tensor& t, DType d) { return t.to(d); }

}  // namespace

TEST_CASE("ops: binary elementwise with broadcasting matches the reference") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {}},        {{}, {2, 3, 4, 5}},    {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {5}},          {{4, 1}, {2, 1, 3}},      {{6, 7}, {6, 1}},      {{3, 1, 5}, {1, 4, 1}},
      {{2, 3, 4, 5}, {2, 1, 4, 1}}, {{1, 3, 1, 1}, {2, 3, 4, 5}}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const auto& [sa, sb] : cases) {
      CAPTURE(shape_str(sa));
      CAPTURE(shape_str(sb));
      const Tensor a = as(random_f64(sa, 1), dt), b = as(random_f64(sb, 2, 0.5), dt);
      const double tol = dt == DType::f32 ? 1e-6 : 1e-14;
      check_close(add(a, b), broadcast_ref(a, b, [](double x, double y) { return x + y; }), tol, tol);
      check_close(sub(a, b), broadcast_ref(a, b, [](double x, double y) { return x - y; }), tol, tol);
      check_close(mul(a, b), broadcast_ref(a, b, [](double x, double y) { return x * y; }), tol, tol);
      check_close(div(a, b), broadcast_ref(a, b, [](double x, double y) { return x / y; }), tol, tol);
    }
  }
  CHECK_THROWS_WITH_AS(add(Tensor::zeros({2, 3}), Tensor::zeros({4})), doctest::Contains("do not broadcast"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(add(Tensor::zeros({2}), Tensor::zeros({2}, {DType::f64})), doctest::Contains("dtype mismatch"),
                       std::invalid_argument);
}

TEST_CASE("ops: unary elementwise matches std:: math") {
  const Tensor x = random_f64({3, 4, 5}, 3, 0.1);
  const Tensor pos = abs(x);
  const auto v = x.to_vector<double>(), pv = pos.to_vector<double>();
  auto ref = [&](const std::vector<double>& in, auto f) {
    std::vector<double> out(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = f(in[i]);
    return Tensor::from_vector(out, x.shape());
  };
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 2e-6 : 1e-14;
    const Tensor xd = x.to(dt), pd = pos.to(dt);
    check_close(neg(xd), ref(v, [](double a) { return -a; }), tol, tol);
    check_close(exp(xd), ref(v, [](double a) { return std::exp(a); }), tol, tol);
    check_close(log(pd), ref(pv, [](double a) { return std::log(a); }), tol, tol);
    check_close(sqrt(pd), ref(pv, [](double a) { return std::sqrt(a); }), tol, tol);
    check_close(rsqrt(pd), ref(pv, [](double a) { return 1 / std::sqrt(a); }), tol, tol);
    check_close(abs(xd), ref(v, [](double a) { return std::fabs(a); }), tol, tol);
    check_close(square(xd), ref(v, [](double a) { return a * a; }), tol, tol);
    check_close(pow(pd, 1.7), ref(pv, [](double a) { return std::pow(a, 1.7); }), tol, tol);
    check_close(relu(xd), ref(v, [](double a) { return a > 0 ? a : 0; }), tol, tol);
    check_close(leaky_relu(xd, 0.2), ref(v, [](double a) { return a > 0 ? a : 0.2 * a; }), tol, tol);
    check_close(add(xd, 2.5), ref(v, [](double a) { return a + 2.5; }), tol, tol);
    check_close(mul(xd, -3.0), ref(v, [](double a) { return -3 * a; }), tol, tol);
    check_close(lerp(xd, pd, 0.25), ref(v, [](double a) { return a + 0.25 * (std::fabs(a) - a); }), tol, tol);
  }
}

TEST_CASE("ops: sum and mean over any dims match loops") {
  const Tensor x = random_f64({3, 4, 5, 6}, 4);
  const auto v = x.to_vector<double>();
  const std::vector<std::vector<int>> dim_sets = {{0}, {1}, {2}, {3}, {0, 2, 3}, {2, 3}, {0, 1}, {1, 3}, {0, 1, 2, 3}, {-1}};
  for (DType dt : {DType::f32, DType::f64}) {
    for (const auto& dims : dim_sets) {
      Shape keep = x.shape();
      for (int d : dims) keep[static_cast<std::size_t>(d < 0 ? d + 4 : d)] = 1;
      std::vector<double> ref(static_cast<std::size_t>(shape_numel(keep)), 0.0);
      for (std::int64_t i = 0; i < 3; ++i)
        for (std::int64_t j = 0; j < 4; ++j)
          for (std::int64_t k = 0; k < 5; ++k)
            for (std::int64_t l = 0; l < 6; ++l) {
              const std::int64_t idx[4] = {i, j, k, l};
              std::int64_t o = 0;
              for (int d = 0; d < 4; ++d) o = o * keep[static_cast<std::size_t>(d)] + (keep[static_cast<std::size_t>(d)] == 1 ? 0 : idx[d]);
              ref[static_cast<std::size_t>(o)] += v[static_cast<std::size_t>(((i * 4 + j) * 5 + k) * 6 + l)];
            }
      const double tol = dt == DType::f32 ? 1e-5 : 1e-13;
      const Tensor s = sum(x.to(dt), dims, true);
      check_close(s, Tensor::from_vector(ref, keep), tol, tol);
      const double count = static_cast<double>(x.numel()) / static_cast<double>(shape_numel(keep));
      check_close(mean(x.to(dt), dims, true), mul(Tensor::from_vector(ref, keep), 1.0 / count), tol, tol);
      CHECK(sum(x.to(dt), dims, false).numel() == shape_numel(keep));
    }
  }
  CHECK(sum(x).shape() == Shape{});
  CHECK(sum(x).item() == doctest::Approx(std::accumulate(v.begin(), v.end(), 0.0)).epsilon(1e-12));
}

TEST_CASE("ops: large sums are exact to double accumulation and independent of threads") {
  Generator gen(9);
  const Tensor x = Tensor::rand({1 << 20}, gen);
  const auto v = x.to_vector<float>();
  double ref = 0;
  for (float f : v) ref += f;
  CHECK(sum(x).item() == doctest::Approx(ref).epsilon(1e-6));
  CHECK(sum(x).item() == sum(x).item());
}

TEST_CASE("ops: broadcast_to and sum_to are adjoint") {
  const Tensor x = random_f64({3, 1, 5}, 5), y = random_f64({2, 3, 4, 5}, 6);
  const Tensor bx = broadcast_to(x, y.shape());
  CHECK(bx.shape() == y.shape());
  // <broadcast(x), y> == <x, sum_to(y)>
  CHECK(sum(mul(bx, y)).item() == doctest::Approx(sum(mul(x, sum_to(y, x.shape()))).item()).epsilon(1e-12));
  CHECK_THROWS_AS(broadcast_to(x, {3, 2, 4}), std::invalid_argument);
}

TEST_CASE("ops: reshape views share storage, concat and slice copy along any dim") {
  const Tensor x = random_f64({2, 3, 4}, 7);
  const Tensor r = x.reshape({6, -1});
  CHECK(r.shape() == Shape{6, 4});
  CHECK(r.same_storage(x));
  CHECK(x.flatten(1).shape() == Shape{2, 12});
  CHECK_THROWS_AS(x.reshape({5, -1}), std::invalid_argument);
  for (int dim : {0, 1, 2}) {
    const Tensor a = slice(x, dim, 0, 1), b = slice(x, dim, 1, x.size(dim));
    check_close(concat({a, b}, dim), x, 0, 0);
  }
  const auto v = x.to_vector<double>();
  const Tensor mid = slice(x, 1, 1, 3);  // (2, 2, 4)
  const auto m = mid.to_vector<double>();
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int w = 0; w < 4; ++w)
        CHECK(m[static_cast<std::size_t>((n * 2 + c) * 4 + w)] == v[static_cast<std::size_t>((n * 3 + c + 1) * 4 + w)]);
  CHECK_THROWS_AS(slice(x, 1, 2, 2), std::invalid_argument);
  CHECK_THROWS_AS(concat({x, random_f64({2, 2, 5}, 1)}, 1), std::invalid_argument);
}

TEST_CASE("ops: matmul (all transposes) and linear match the reference") {
  const Tensor a = random_f64({7, 5}, 8), b = random_f64({5, 9}, 9), bias = random_f64({9}, 10);
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 1e-5 : 1e-13;
    const Tensor ref = reference::matmul(a, b);
    const Tensor ad = a.to(dt), bd = b.to(dt), at = reference::transpose(a).to(dt), bt = reference::transpose(b).to(dt);
    check_close(matmul(ad, bd), ref, tol, tol);
    check_close(matmul(at, bd, true, false), ref, tol, tol);
    check_close(matmul(ad, bt, false, true), ref, tol, tol);
    check_close(matmul(at, bt, true, true), ref, tol, tol);
    check_close(linear(ad, bt, bias.to(dt)), add(ref, bias), tol, tol);
  }
  CHECK_THROWS_WITH_AS(matmul(a, a), doctest::Contains("inner sizes differ"), std::invalid_argument);
}

TEST_CASE("ops: conv2d forward matches the reference for kernels, strides, paddings and batch chunks") {
  struct Case {
    Shape x, w;
    int stride, pad;
  };
  const std::vector<Case> cases = {
      {{2, 3, 8, 8}, {4, 3, 3, 3}, 1, 1},   {{3, 2, 7, 9}, {5, 2, 3, 3}, 2, 1}, {{2, 4, 6, 6}, {3, 4, 1, 1}, 1, 0},
      {{1, 2, 9, 9}, {2, 2, 4, 4}, 1, 0},   {{2, 3, 4, 4}, {6, 3, 4, 4}, 1, 0}, {{5, 2, 32, 32}, {3, 2, 3, 3}, 1, 1},
      {{20, 2, 4, 4}, {3, 2, 3, 3}, 1, 1},  {{2, 1, 5, 5}, {1, 1, 5, 5}, 1, 2}, {{2, 3, 8, 8}, {4, 3, 3, 3}, 3, 2}};
  for (const Case& c : cases) {
    CAPTURE(shape_str(c.x));
    CAPTURE(shape_str(c.w));
    const Tensor x = random_f64(c.x, 11), w = random_f64(c.w, 12), b = random_f64({c.w[0]}, 13);
    const Tensor ref = reference::conv2d(x, w, c.stride, c.pad);
    check_close(conv2d(x, w, {}, {c.stride, c.pad}), ref, 1e-12, 1e-12);
    check_close(conv2d(x.to(DType::f32), w.to(DType::f32), {}, {c.stride, c.pad}), ref, 1e-4, 1e-4);
    check_close(conv2d(x, w, b, {c.stride, c.pad}), add(ref, b.reshape({1, c.w[0], 1, 1})), 1e-12, 1e-12);
    // The two backward kernels are the adjoints: <conv(x, w), g> = <x, D(g, w)> = <w, F(x, g)>.
    const Tensor g = random_f64(ref.shape(), 14);
    const double lhs = sum(mul(ref, g)).item();
    CHECK(sum(mul(x, conv2d_backward_input(g, w, x.shape(), {c.stride, c.pad}))).item() == doctest::Approx(lhs).epsilon(1e-10));
    CHECK(sum(mul(w, conv2d_backward_weight(x, g, w.shape(), {c.stride, c.pad}))).item() == doctest::Approx(lhs).epsilon(1e-10));
  }
  CHECK_THROWS_WITH_AS(conv2d(Tensor::zeros({1, 3, 4, 4}), Tensor::zeros({2, 4, 3, 3})), doctest::Contains("channels"),
                       std::invalid_argument);
}

TEST_CASE("ops: pooling and upsampling match the reference") {
  const Tensor x = random_f64({2, 3, 6, 8}, 15);
  for (DType dt : {DType::f32, DType::f64}) {
    const double tol = dt == DType::f32 ? 1e-6 : 1e-14;
    check_close(avg_pool2x2(x.to(dt)), reference::pool2x2(x, [](double a, double b, double c, double d) { return (a + b + c + d) / 4; }), tol, tol);
    check_close(max_pool2x2(x.to(dt)), reference::pool2x2(x, [](double a, double b, double c, double d) { return std::max({a, b, c, d}); }), tol, tol);
    check_close(upsample_nearest2x(x.to(dt)), reference::upsample2x(x), tol, tol);
  }
  CHECK_THROWS_WITH_AS(avg_pool2x2(Tensor::zeros({1, 1, 3, 4})), doctest::Contains("even"), std::invalid_argument);
}

TEST_CASE("ops: log_softmax, cross_entropy and mse match the definitions") {
  const Tensor logits = mul(random_f64({5, 7}, 16), 3.0);
  check_close(log_softmax(logits), reference::log_softmax(logits), 1e-12, 1e-12);
  // Stable for huge logits (a naive exp would overflow).
  const Tensor huge = add(logits, 1000.0);
  check_close(log_softmax(huge), reference::log_softmax(logits), 1e-9, 1e-9);
  const std::vector<int> labels = {0, 6, 3, 3, 1};
  const auto ls = reference::log_softmax(logits).to_vector<double>();
  double ref = 0, wref = 0, wsum = 0;
  const std::vector<double> weights = {1, 2, 1, 0.5, 1, 1, 3};
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double nll = -ls[i * 7 + static_cast<std::size_t>(labels[i])];
    ref += nll / 5;
    wref += weights[static_cast<std::size_t>(labels[i])] * nll;
    wsum += weights[static_cast<std::size_t>(labels[i])];
  }
  CHECK(cross_entropy(logits, labels).item() == doctest::Approx(ref).epsilon(1e-12));
  CHECK(cross_entropy(logits, labels, weights).item() == doctest::Approx(wref / wsum).epsilon(1e-12));
  CHECK(cross_entropy(logits.to(DType::f32), labels).item() == doctest::Approx(ref).epsilon(1e-5));
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0, 1, 7, 0, 0}), doctest::Contains("label 7"), std::invalid_argument);
  const Tensor a = random_f64({4, 3}, 17), b = random_f64({4, 3}, 18);
  const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
  double mse = 0;
  for (std::size_t i = 0; i < va.size(); ++i) mse += (va[i] - vb[i]) * (va[i] - vb[i]) / 12;
  CHECK(mse_loss(a, b).item() == doctest::Approx(mse).epsilon(1e-12));
  CHECK(argmax_rows(Tensor::from_vector(std::vector<double>{0, 3, 1, 5, 2, 2}, {2, 3})) == std::vector<int>{1, 0});
}

TEST_CASE("ops: batch norm normalises with batch statistics and tracks running ones") {
  const Tensor x = add(mul(random_f64({8, 3, 4, 4}, 19), 2.0), 5.0);
  BatchNormState st{Tensor::zeros({3}, testing::f64()), Tensor::ones({3}, testing::f64()), 0.1, 1e-5};
  const Tensor gamma = random_f64({3}, 20), beta = random_f64({3}, 21);
  const Tensor y = batch_norm(x, gamma, beta, st, true);
  const auto v = x.to_vector<double>(), vy = y.to_vector<double>(), g = gamma.to_vector<double>(), bt = beta.to_vector<double>();
  const auto rm = st.running_mean.to_vector<double>(), rv = st.running_var.to_vector<double>();
  for (int c = 0; c < 3; ++c) {
    double m = 0, var = 0;
    const int count = 8 * 16;
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 16; ++i) m += v[static_cast<std::size_t>((n * 3 + c) * 16 + i)] / count;
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 16; ++i) var += std::pow(v[static_cast<std::size_t>((n * 3 + c) * 16 + i)] - m, 2) / count;
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 16; ++i) {
        const std::size_t k = static_cast<std::size_t>((n * 3 + c) * 16 + i);
        CHECK(vy[k] == doctest::Approx((v[k] - m) / std::sqrt(var + 1e-5) * g[static_cast<std::size_t>(c)] + bt[static_cast<std::size_t>(c)]).epsilon(1e-10));
      }
    CHECK(rm[static_cast<std::size_t>(c)] == doctest::Approx(0.1 * m).epsilon(1e-12));
    CHECK(rv[static_cast<std::size_t>(c)] == doctest::Approx(0.9 + 0.1 * var * count / (count - 1)).epsilon(1e-12));
  }
  // Evaluation uses the running statistics.
  const Tensor ye = batch_norm(x, gamma, beta, st, false);
  const auto vye = ye.to_vector<double>();
  CHECK(vye[0] == doctest::Approx((v[0] - rm[0]) / std::sqrt(rv[0] + 1e-5) * g[0] + bt[0]).epsilon(1e-10));
}

TEST_CASE("ops: dropout is seeded, zeroes about p and scales the rest") {
  const Tensor x = Tensor::ones({100000});
  Generator g1(42), g2(42);
  const Tensor a = dropout(x, 0.3, true, g1), b = dropout(x, 0.3, true, g2);
  check_close(a, b, 0, 0);
  const auto v = a.to_vector<float>();
  std::size_t zeros = 0;
  for (float f : v) {
    if (f == 0) ++zeros;
    else CHECK(f == doctest::Approx(1 / 0.7).epsilon(1e-6));
  }
  CHECK(static_cast<double>(zeros) / static_cast<double>(v.size()) == doctest::Approx(0.3).epsilon(0.02));
  Generator g3(42);
  check_close(dropout(x, 0.3, false, g3), x, 0, 0);
  CHECK(g3.offset() == 0);  // evaluation draws nothing
}

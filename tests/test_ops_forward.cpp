// Every op's forward result against a plain reference in double, in f32 and f64: the rows of the
// op table (tests/op_table.h), one SUBCASE each; then what is not one op against its reference.
#include <cmath>
#include <cstring>

#include "tests/op_table.h"
#include "tests/reference.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::op_table;
using gg::testing::check_close;
using gg::testing::random_f64;

namespace {

// The op on the row's inputs in each dtype against the reference on the same values in double.
void check_references(Group group) {
  for (const OpCase& row : op_cases()) {
    if (row.group != group || !row.reference) continue;
    SUBCASE(row.name.c_str()) {
      for (DType dt : row.dtypes) {
        CAPTURE(dtype_name(dt));
        const Inputs inputs = make_inputs(row, dt);
        Inputs in_f64;
        for (const Tensor& x : inputs) in_f64.push_back(x.to(DType::f64));
        const Tensor out = row.op(inputs);
        CHECK(out.dtype() == dt);
        const Tolerance tol = reference_tolerance(row.tol, dt, summed_terms(inputs, out));
        check_close(out, row.reference(in_f64), tol.atol, tol.rtol);
      }
    }
  }
}

}  // namespace

TEST_CASE("ops: elementwise ops of the op table match their references, broadcasting too") {
  check_references(Group::elementwise);
}

TEST_CASE("ops: reductions, broadcasts and shape ops of the op table match their references") {
  check_references(Group::reduction_shape);
}

TEST_CASE("ops: matmul, linear and conv2d rows of the op table match their references") {
  check_references(Group::linalg_conv);
}

TEST_CASE("ops: pooling, upsampling, softmax, losses and batch norm of the op table match their references") {
  check_references(Group::nn);
}

TEST_CASE("ops: ProGAN's fused ops of the op table equal their unfused compositions") {
  check_references(Group::progan);
}

TEST_CASE("ops: bad shapes, dtypes and labels are clear errors") {
  CHECK_THROWS_WITH_AS(add(Tensor::zeros({2, 3}), Tensor::zeros({4})), doctest::Contains("do not broadcast"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(add(Tensor::zeros({2}), Tensor::zeros({2}, {DType::f64})), doctest::Contains("dtype mismatch"),
                       std::invalid_argument);
  const Tensor x = random_f64({2, 3, 4}, 7);
  CHECK_THROWS_AS(broadcast_to(random_f64({3, 1, 5}, 5), {3, 2, 4}), std::invalid_argument);
  CHECK_THROWS_AS(x.reshape({5, -1}), std::invalid_argument);
  CHECK_THROWS_AS(slice(x, 1, 2, 2), std::invalid_argument);
  CHECK_THROWS_AS(concat({x, random_f64({2, 2, 5}, 1)}, 1), std::invalid_argument);
  const Tensor a = random_f64({7, 5}, 8);
  CHECK_THROWS_WITH_AS(matmul(a, a), doctest::Contains("inner sizes differ"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(conv2d(Tensor::zeros({1, 3, 4, 4}), Tensor::zeros({2, 4, 3, 3})), doctest::Contains("channels"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(avg_pool2x2(Tensor::zeros({1, 1, 3, 4})), doctest::Contains("even"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(random_f64({5, 7}, 16), {0, 1, 7, 0, 0}), doctest::Contains("label 7"),
                       std::invalid_argument);
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
}

TEST_CASE("ops: reshape views share storage, concat undoes slice along any dim") {
  const Tensor x = random_f64({2, 3, 4}, 7);
  const Tensor r = x.reshape({6, -1});
  CHECK(r.shape() == Shape{6, 4});
  CHECK(r.same_storage(x));
  CHECK(x.flatten(1).shape() == Shape{2, 12});
  for (int dim : {0, 1, 2}) {
    const Tensor a = slice(x, dim, 0, 1), b = slice(x, dim, 1, x.size(dim));
    check_close(concat({a, b}, dim), x, 0, 0);
  }
}

TEST_CASE("ops: conv2d's two backward kernels are its adjoints, for every stride, padding and batch chunk") {
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
    const Tensor x = random_f64(c.x, 11), w = random_f64(c.w, 12);
    const Tensor y = reference::conv2d(x, w, c.stride, c.pad);
    // <conv(x, w), g> = <x, D(g, w)> = <w, F(x, g)>.
    const Tensor g = random_f64(y.shape(), 14);
    const double lhs = sum(mul(y, g)).item();
    CHECK(sum(mul(x, conv2d_backward_input(g, w, x.shape(), {c.stride, c.pad}))).item() == doctest::Approx(lhs).epsilon(1e-10));
    CHECK(sum(mul(w, conv2d_backward_weight(x, g, w.shape(), {c.stride, c.pad}))).item() == doctest::Approx(lhs).epsilon(1e-10));
  }
}

TEST_CASE("ops: log_softmax is stable for huge logits, argmax_rows finds each row's largest") {
  const Tensor logits = mul(random_f64({5, 7}, 16), 3.0);
  check_close(log_softmax(logits), reference::log_softmax(logits), 1e-12, 1e-12);
  // A naive exp would overflow.
  check_close(log_softmax(add(logits, 1000.0)), reference::log_softmax(logits), 1e-9, 1e-9);
  CHECK(argmax_rows(Tensor::from_vector(std::vector<double>{0, 3, 1, 5, 2, 2}, {2, 3})) == std::vector<int>{1, 0});
}

TEST_CASE("ops: batch norm normalises with batch statistics and tracks running ones") {
  const Tensor x = add(mul(random_f64({8, 3, 4, 4}, 19), 2.0), 5.0);
  BatchNormState st{Tensor::zeros({3}, testing::f64()), Tensor::ones({3}, testing::f64()), 0.1, 1e-5};
  const Tensor gamma = random_f64({3}, 20), beta = random_f64({3}, 21);
  const Tensor y = batch_norm(x, gamma, beta, st, true);
  // Values far from zero mean: the statistics must be centred.
  check_close(y, reference::batch_norm(x, gamma, beta, 1e-5), 1e-12, 1e-12);
  const auto v = x.to_vector<double>(), g = gamma.to_vector<double>(), bt = beta.to_vector<double>();
  const auto rm = st.running_mean.to_vector<double>(), rv = st.running_var.to_vector<double>();
  for (int c = 0; c < 3; ++c) {
    double m = 0, var = 0;
    const int count = 8 * 16;
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 16; ++i) m += v[static_cast<std::size_t>((n * 3 + c) * 16 + i)] / count;
    for (int n = 0; n < 8; ++n)
      for (int i = 0; i < 16; ++i) var += std::pow(v[static_cast<std::size_t>((n * 3 + c) * 16 + i)] - m, 2) / count;
    CHECK(rm[static_cast<std::size_t>(c)] == doctest::Approx(0.1 * m).epsilon(1e-12));
    CHECK(rv[static_cast<std::size_t>(c)] == doctest::Approx(0.9 + 0.1 * var * count / (count - 1)).epsilon(1e-12));
  }
  // Evaluation uses the running statistics.
  const Tensor ye = batch_norm(x, gamma, beta, st, false);
  const auto vye = ye.to_vector<double>();
  CHECK(vye[0] == doctest::Approx((v[0] - rm[0]) / std::sqrt(rv[0] + 1e-5) * g[0] + bt[0]).epsilon(1e-10));
}

TEST_CASE("ops: fused batch norm (+ ReLU) equals its composition: output, gradients and running statistics") {
  using Fn = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, BatchNormState&, bool);
  for (DType dt : {DType::f64, DType::f32}) {
    for (bool with_relu : {false, true}) {
      CAPTURE(dtype_name(dt));
      CAPTURE(with_relu);
      const double tol = dt == DType::f64 ? 1e-12 : 2e-6;
      const TensorOptions opt{dt, Device::cpu()};
      // The composition of the old implementation, the ReLU after it.
      const Fn composed = with_relu ? Fn([](const Tensor& x, const Tensor& g, const Tensor& b, BatchNormState& s, bool t) {
        return relu(unfused::batch_norm(x, g, b, s, t));
      })
                                    : unfused::batch_norm;
      const Fn fused = with_relu ? batch_norm_relu : batch_norm;
      BatchNormState st_fused{Tensor::zeros({6}, opt), Tensor::ones({6}, opt), 0.1, 1e-5};
      BatchNormState st_composed{Tensor::zeros({6}, opt), Tensor::ones({6}, opt), 0.1, 1e-5};
      Tensor gamma = random_f64({6}, 31).to(dt), beta = random_f64({6}, 32).to(dt);
      gamma.set_requires_grad(true);
      beta.set_requires_grad(true);
      // Two steps, so the second update starts from statistics the first one moved.
      for (std::uint64_t step = 0; step < 2; ++step) {
        CAPTURE(step);
        Tensor x = add(mul(random_f64({8, 6, 5, 5}, 33 + step), 2.0), 3.0).to(dt);
        x.set_requires_grad(true);
        const Tensor gy = random_f64(x.shape(), 40 + step).to(dt);
        const Tensor y = fused(x, gamma, beta, st_fused, true), yc = composed(x, gamma, beta, st_composed, true);
        check_close(y, yc, tol, tol);
        const auto g = grad({y}, {x, gamma, beta}, {gy}), gc = grad({yc}, {x, gamma, beta}, {gy});
        for (std::size_t i = 0; i < g.size(); ++i) check_close(g[i], gc[i], 10 * tol, 10 * tol);
        check_close(st_fused.running_mean, st_composed.running_mean, tol, tol);
        check_close(st_fused.running_var, st_composed.running_var, tol, tol);
      }
      const Tensor x = random_f64({4, 6, 3, 3}, 50).to(dt);
      check_close(fused(x, gamma, beta, st_fused, false), composed(x, gamma, beta, st_composed, false), tol, tol);
    }
  }
}

TEST_CASE("ops: evaluation-mode batch norm and max pool give the same bits with and without a recorded graph") {
  for (DType dt : {DType::f64, DType::f32}) {
    for (const Shape& s : {Shape{8, 6, 5, 5}, Shape{16, 6}, Shape{4, 6, 64, 64}}) {
      for (bool with_relu : {false, true}) {
        CAPTURE(dtype_name(dt));
        CAPTURE(shape_str(s));
        CAPTURE(with_relu);
        const Shape c{6};
        BatchNormState st{random_f64(c, 70).to(dt), add(square(random_f64(c, 71)), 0.1).to(dt)};
        Tensor gamma = random_f64(c, 72).to(dt), beta = random_f64(c, 73).to(dt);
        gamma.set_requires_grad(true);
        beta.set_requires_grad(true);
        const Tensor x = random_f64(s, 74).to(dt);
        auto normalise = [&] { return with_relu ? batch_norm_relu(x, gamma, beta, st, false) : batch_norm(x, gamma, beta, st, false); };
        const Tensor recorded = normalise();  // the composed ops, on gamma's graph
        REQUIRE(recorded.requires_grad());
        NoGrad no_grad;
        const Tensor by_kernel = normalise();
        CHECK(!by_kernel.requires_grad());
        check_close(by_kernel, recorded, 0, 0);
      }
    }
    Tensor x = random_f64({3, 4, 6, 8}, 75).to(dt);
    x.set_requires_grad(true);
    const Tensor pooled = max_pool2x2(x);
    REQUIRE(pooled.requires_grad());
    NoGrad no_grad;
    check_close(max_pool2x2(x), pooled, 0, 0);  // without the mask the backward would need
  }
}

TEST_CASE("ops: max pool's fused backward gives the bits of its composition, upsample times the mask") {
  for (const DType dt : {DType::f32, DType::f64}) {
    CAPTURE(dtype_name(dt));
    // Windows without ties, and windows of four equal values; g of both signs, so masked-off
    // products are +0 and -0.
    const Tensor distinct = random_f64({3, 4, 6, 8}, 76), tied = upsample_nearest2x(random_f64({3, 4, 3, 4}, 78));
    const Tensor g = random_f64({3, 4, 3, 4}, 77).to(dt);
    for (const Tensor& values : {distinct, tied}) {
      const Tensor x = values.to(dt).set_requires_grad();
      const Tensor loss = sum(mul(max_pool2x2(x), g));
      const Tensor composed = grad({loss}, {x}, {}, {.create_graph = true}).front();  // recorded: composed ops
      const Tensor fused = grad({sum(mul(max_pool2x2(x), g))}, {x}).front();
      const std::vector<double> a = composed.to(DType::f64).to_vector<double>(), b = fused.to(DType::f64).to_vector<double>();
      REQUIRE(a.size() == b.size());
      CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
    }
  }
}

TEST_CASE("ops: batch norm of f32 values far from zero keeps their spread") {
  // 1000 + N(0, 1) in f32: an f32 mean (ulp 6e-5) would shift every normalised value by up to 3e-5.
  const Tensor x = add(random_f64({16, 4, 6, 6}, 60), 1000.0).to(DType::f32);
  const Tensor gamma = Tensor::ones({4}), beta = Tensor::zeros({4});
  for (bool with_relu : {false, true}) {
    CAPTURE(with_relu);
    BatchNormState st{Tensor::zeros({4}), Tensor::ones({4})};
    const Tensor y = with_relu ? batch_norm_relu(x, gamma, beta, st, true) : batch_norm(x, gamma, beta, st, true);
    const Tensor ref = reference::batch_norm(x.to(DType::f64), gamma.to(DType::f64), beta.to(DType::f64), 1e-5);
    check_close(y, with_relu ? reference::map(ref, [](double z) { return z > 0 ? z : 0.0; }) : ref, 1e-6, 1e-6);
  }
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

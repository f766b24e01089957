// Every op on CUDA against the same op on the CPU: forward values and gradients through autograd,
// in f32 and f64, within declared tolerances. Skipped (visibly) without a GPU.
//
// Tolerances, and why:
//   exact:  data movement (copies, broadcasting, concat, pooling, upsampling), IEEE-rounded
//           arithmetic (+ - * /, sqrt) and anything the backends compute in the same order.
//   f32 1e-6 relative, f64 1e-14: transcendental functions (CUDA's and glibc's exp, log, pow differ
//           by an ulp or two).
//   sums of n standard-normal inputs, accumulated in double in another order: f32 1e-6 (the double
//           result rounds alike); f64 ceil(log2 n) * n * 2^-53 absolute, the bound of a blocked
//           summation's rounding error (each of the log2 n levels adds at most one rounding of
//           at most sum |x|, about 0.8 n here).
//   f32 1e-5, f64 1e-12: composites whose gradients cancel (batch norm, softmax losses).
//   f32 ~1e-4, f64 1e-11: GEMMs and convolutions (cuBLAS/cuDNN and OpenBLAS sum in different
//           orders; f32 errors grow with the reduction length).
#include <algorithm>
#include <cmath>

#include "tests/test_cuda_helpers.h"

using namespace gg;
using cuda_testing::check_against_cpu;
using cuda_testing::Fn;
using cuda_testing::gpu;

namespace {

using cuda_testing::blas;
using cuda_testing::composite;
using cuda_testing::Tolerance;

Tolerance transcendental(DType dt) { return dt == DType::f32 ? Tolerance{1e-6, 1e-6} : Tolerance{1e-14, 1e-14}; }

Tolerance reduction(DType dt, std::int64_t n) {
  if (dt == DType::f32) return {1e-6, 1e-6};
  const double levels = std::max(1.0, std::ceil(std::log2(static_cast<double>(n))));
  return {levels * static_cast<double>(n) * std::ldexp(1.0, -53), 1e-14};
}

Tensor input(const Shape& shape, std::uint64_t seed, DType dt, double margin = 0) {
  return gg::testing::random_f64(shape, seed, margin).to(dt);
}

void check_op(const Fn& f, const std::vector<Tensor>& inputs, Tolerance tol) {
  check_against_cpu(f, inputs, tol.atol, tol.rtol);
}

const DType kDtypes[] = {DType::f32, DType::f64};

// x rounded down to integers: many equal values, so pooling windows have ties.
Tensor with_ties(const Tensor& x) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = std::floor(e);
  return Tensor::from_vector(v, x.shape()).to(x.dtype());
}

}  // namespace

TEST_CASE("cuda: tensors round-trip through the device, fill and convert dtypes exactly") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const Tensor x = input({3, 5, 7}, 1, dt);
    const Tensor back = x.to(gpu()).to(Device::cpu());
    cuda_testing::check_identical<double>(back.to(DType::f64), x.to(DType::f64));
    cuda_testing::check_identical<double>(Tensor::full({4, 3}, 2.5, {dt, gpu()}).to(DType::f64),
                                          Tensor::full({4, 3}, 2.5, {DType::f64}));
    const Tensor converted = x.to(gpu()).to(dt == DType::f32 ? DType::f64 : DType::f32);
    gg::testing::check_close(converted, x.to(converted.dtype()), 0, 0);
    CHECK(Tensor::zeros({0, 3}, {dt, gpu()}).numel() == 0);
  }
}

TEST_CASE("cuda: binary ops with broadcasting match the CPU exactly, gradients too") {
  GG_REQUIRE_CUDA();
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {}},     {{}, {2, 3, 4, 5}}, {{2, 3, 4, 5}, {1, 3, 1, 1}},
      {{2, 3, 4, 5}, {5}},          {{4, 1}, {2, 1, 3}},   {{6, 7}, {6, 1}},   {{3, 1, 5}, {1, 4, 1}},
      {{2, 3, 4, 5}, {2, 1, 4, 1}}, {{1, 3, 1, 1}, {2, 3, 4, 5}}, {{1 << 16}, {1 << 16}}};
  for (DType dt : kDtypes)
    for (const auto& [sa, sb] : cases) {
      CAPTURE(shape_str(sa));
      CAPTURE(shape_str(sb));
      const std::vector<Tensor> in = {input(sa, 1, dt), input(sb, 2, dt, 0.5)};
      // Gradients of broadcast operands are sums (sum_to), accumulated in double in another order.
      const Tolerance tol = transcendental(dt);
      check_op([](const auto& v) { return add(v[0], v[1]); }, in, tol);
      check_op([](const auto& v) { return sub(v[0], v[1]); }, in, tol);
      check_op([](const auto& v) { return mul(v[0], v[1]); }, in, tol);
      check_op([](const auto& v) { return div(v[0], v[1]); }, in, tol);
      // Forward alone is exact: one IEEE operation per element on both backends.
      gg::testing::check_close(div(in[0].to(gpu()), in[1].to(gpu())), div(in[0], in[1]), 0, 0);
    }
}

TEST_CASE("cuda: unary ops match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const std::vector<Tensor> x = {input({4, 5, 6}, 3, dt, 0.1)};
    const Tolerance tol = transcendental(dt);
    check_op([](const auto& v) { return neg(v[0]); }, x, tol);
    check_op([](const auto& v) { return exp(v[0]); }, x, tol);
    check_op([](const auto& v) { return log(abs(v[0])); }, x, tol);
    check_op([](const auto& v) { return sqrt(abs(v[0])); }, x, tol);
    check_op([](const auto& v) { return rsqrt(abs(v[0])); }, x, tol);
    check_op([](const auto& v) { return square(v[0]); }, x, tol);
    check_op([](const auto& v) { return pow(abs(v[0]), 1.7); }, x, tol);
    check_op([](const auto& v) { return relu(v[0]); }, x, tol);
    check_op([](const auto& v) { return leaky_relu(v[0], 0.2); }, x, tol);
    check_op([](const auto& v) { return add(mul(v[0], 3.0), -1.25); }, x, tol);
    const Tensor xg = x[0].to(gpu());
    gg::testing::check_close(leaky_relu(xg, 0.2), leaky_relu(x[0], 0.2), 0, 0);
    gg::testing::check_close(sqrt(abs(xg)), sqrt(abs(x[0])), 0, 0);
  }
}

TEST_CASE("cuda: sums and means over any dims match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  struct Case {
    Shape shape;
    std::vector<int> dims;
  };
  const std::vector<Case> cases = {
      {{1 << 20}, {0}},              // all of a long vector: segmented block sums
      {{4096, 64}, {0}},             // down the columns: segmented thread sums
      {{16, 256, 8, 8}, {0, 2, 3}},  // a conv bias gradient
      {{4, 64, 32, 32}, {0, 2, 3}},  // long per-channel sums
      {{3, 5, 7}, {1}},
      {{2, 3, 4, 5}, {1, 3}},
      {{2, 3, 4, 5}, {0, 1, 2, 3}},
      {{7}, {0}},
  };
  for (DType dt : kDtypes)
    for (const Case& c : cases) {
      CAPTURE(shape_str(c.shape));
      const std::vector<Tensor> x = {input(c.shape, 4, dt)};
      std::int64_t n = 1;
      for (int d : c.dims) n *= c.shape[static_cast<std::size_t>(d)];
      const Tolerance tol = reduction(dt, n);
      check_op([&](const auto& v) { return sum(v[0], c.dims, true); }, x, tol);
      check_op([&](const auto& v) { return mean(v[0], c.dims, false); }, x, tol);
    }
  for (DType dt : kDtypes) {
    const std::vector<Tensor> x = {input({1, 3, 1, 5}, 5, dt)};
    check_op([](const auto& v) { return broadcast_to(v[0], {2, 3, 4, 5}); }, x, transcendental(dt));
    check_op([](const auto& v) { return sum(v[0]); }, x, reduction(dt, 15));
  }
}

TEST_CASE("cuda: concat and slice match the CPU exactly, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const std::vector<Tensor> in = {input({2, 3, 4, 4}, 6, dt), input({2, 1, 4, 4}, 7, dt)};
    check_op([](const auto& v) { return concat({v[0], v[1]}, 1); }, in, {0, 0});
    check_op([](const auto& v) { return concat({v[0], v[0]}, 0); }, in, {0, 0});
    check_op([](const auto& v) { return slice(v[0], 1, 1, 3); }, in, {0, 0});
    check_op([](const auto& v) { return slice(v[0], 3, 2, 3); }, in, {0, 0});
  }
}

TEST_CASE("cuda: matmul in every transpose and linear match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const Tolerance tol = blas(dt);
    const std::int64_t m = 37, k = 53, n = 29;
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        CAPTURE(ta);
        CAPTURE(tb);
        const std::vector<Tensor> in = {input(ta ? Shape{k, m} : Shape{m, k}, 8, dt),
                                        input(tb ? Shape{n, k} : Shape{k, n}, 9, dt)};
        check_op([=](const auto& v) { return matmul(v[0], v[1], ta, tb); }, in, tol);
      }
    const std::vector<Tensor> lin = {input({16, 40}, 10, dt), input({24, 40}, 11, dt), input({24}, 12, dt)};
    check_op([](const auto& v) { return linear(v[0], v[1], v[2]); }, lin, tol);
    check_op([](const auto& v) { return matmul(v[0], v[1], false, true); }, {input({1, 0}, 13, dt), input({3, 0}, 14, dt)},
             tol);
  }
}

TEST_CASE("cuda: conv2d through cuDNN matches the CPU, both gradients too") {
  GG_REQUIRE_CUDA();
  struct Case {
    Shape x, w;
    Conv2dOptions opt;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 9}, {4, 3, 3, 3}, {1, 1}},
      {{2, 3, 9, 9}, {4, 3, 3, 3}, {2, 0}},
      {{3, 8, 4, 4}, {16, 8, 1, 1}, {1, 0}},
      {{2, 16, 8, 8}, {8, 16, 3, 3}, {1, 1}},
      {{1, 4, 7, 5}, {2, 4, 4, 4}, {2, 2}},
  };
  for (DType dt : kDtypes)
    for (const Case& c : cases) {
      CAPTURE(shape_str(c.x));
      CAPTURE(shape_str(c.w));
      const std::vector<Tensor> in = {input(c.x, 15, dt), input(c.w, 16, dt), input({c.w[0]}, 17, dt)};
      const Conv2dOptions opt = c.opt;
      check_op([=](const auto& v) { return conv2d(v[0], v[1], v[2], opt); }, in, blas(dt));
    }
}

TEST_CASE("cuda: upsampling and pooling match the CPU exactly, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const std::vector<Tensor> x = {input({2, 3, 8, 6}, 18, dt)};
    const Tolerance exact{0, 0};
    check_op([](const auto& v) { return upsample_nearest2x(v[0]); }, x, transcendental(dt));
    check_op([](const auto& v) { return avg_pool2x2(v[0]); }, x, exact);
    check_op([](const auto& v) { return max_pool2x2(v[0]); }, x, exact);
    // Ties: max pooling routes the gradient to the first maximum on both backends.
    const std::vector<Tensor> ties = {with_ties(x[0])};
    check_op([](const auto& v) { return max_pool2x2(v[0]); }, ties, exact);
  }
}

TEST_CASE("cuda: log_softmax, cross entropy, batch norm and losses match the CPU, gradients too") {
  GG_REQUIRE_CUDA();
  for (DType dt : kDtypes) {
    const Tolerance tol = composite(dt);
    const std::vector<Tensor> logits = {input({37, 22}, 19, dt)};
    check_op([](const auto& v) { return log_softmax(v[0]); }, logits, tol);
    check_op([](const auto& v) { return log_softmax(v[0]); }, {input({5, 300}, 20, dt)}, tol);
    std::vector<int> labels(37);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>((i * 7) % 22);
    check_op([&](const auto& v) { return cross_entropy(v[0], labels); }, logits, tol);

    const std::vector<Tensor> bn = {input({8, 5, 4, 4}, 21, dt), input({5}, 22, dt), input({5}, 23, dt)};
    check_op(
        [](const auto& v) {
          BatchNormState state{Tensor::zeros({5}, v[0].options()), Tensor::ones({5}, v[0].options())};
          return batch_norm(v[0], v[1], v[2], state, true);
        },
        bn, tol);
    const std::vector<Tensor> pair = {input({6, 7}, 24, dt), input({6, 7}, 25, dt)};
    check_op([](const auto& v) { return mse_loss(v[0], v[1]); }, pair, tol);
    check_op([](const auto& v) { return lerp(v[0], v[1], 0.3); }, pair, tol);
  }
}

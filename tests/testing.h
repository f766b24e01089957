#pragma once
// Test helpers: closeness checks and gradient checks by central differences in double.
#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "engine/ops.h"

namespace gg::testing {

inline TensorOptions f64() { return {DType::f64, Device::cpu()}; }

// CHECKs shapes equal and every element close, reporting the worst element.
void check_close(const Tensor& actual, const Tensor& expected, double atol, double rtol);

// f maps the inputs (f64 leaves) to any output.
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradCheckOptions {
  double eps = 1e-6;
  double atol = 1e-6;
  double rtol = 1e-5;
  // Elements whose one-sided differences disagree sit on a kink (relu, abs, max) and are skipped;
  // at most this share of them may be.
  double max_kink_share = 0.05;
};

// First order: the autograd gradient of sum(f(x) * v), v random, against central differences.
void check_gradients(const Fn& f, const std::vector<Tensor>& inputs, GradCheckOptions opt = {});

// Second order: h(x) = sum_i <d/dx_i sum(f(x) * v), w_i> with the gradient taken with create_graph;
// autograd's dh/dx (a gradient of a gradient) against central differences of h.
void check_second_order(const Fn& f, const std::vector<Tensor>& inputs, GradCheckOptions opt = {});

// Random f64 tensor from a fixed seed, optionally kept at least `margin` away from zero.
Tensor random_f64(const Shape& shape, std::uint64_t seed, double margin = 0);

}  // namespace gg::testing

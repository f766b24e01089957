#pragma once
// The functional op API. Every op here works on CPU tensors (f32 and f64) and is differentiable
// to second order: its backward is written with these same ops (see engine/autograd.h).
// Kernels live in kernels/cpu/<op>.cpp (and kernels/cuda/<op>.cu), reached through engine/backend.h.
#include <cstdint>
#include <vector>

#include "engine/autograd.h"
#include "engine/random.h"
#include "engine/tensor.h"

namespace gg {

// ---- Elementwise (numpy broadcasting: shapes align from the right, size-1 dims stretch) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double s);
Tensor mul(const Tensor& a, double s);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor square(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double slope = 0.2);
// a + (b - a) * t, t a tensor broadcast against a and b, or a scalar.
Tensor lerp(const Tensor& a, const Tensor& b, const Tensor& t);
Tensor lerp(const Tensor& a, const Tensor& b, double t);
// Gradient reversal (Ganin & Lempitsky 2015): the identity forward; backward multiplies the
// gradient by -lambda, so what lies before it learns to defeat the loss after it (domain adaptation).
Tensor gradient_reversal(const Tensor& x, double lambda);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add(a, -s); }
inline Tensor operator*(const Tensor& a, double s) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul(a, 1.0 / s); }
inline Tensor operator*(double s, const Tensor& a) { return mul(a, s); }
inline Tensor operator-(const Tensor& x) { return neg(x); }

// ---- Reductions and broadcasting ----
// Sum / mean over `dims` (negative counts from the end); keepdim leaves them as size 1.
Tensor sum(const Tensor& x, const std::vector<int>& dims, bool keepdim = false);
Tensor mean(const Tensor& x, const std::vector<int>& dims, bool keepdim = false);
Tensor sum(const Tensor& x);   // all elements, shape {}
Tensor mean(const Tensor& x);  // all elements, shape {}
// Stretches x to `shape` by broadcasting; sum_to is its adjoint (sums the stretched dims away).
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---- Shape ----
Tensor reshape(const Tensor& x, const Shape& shape);  // a view; one dim may be -1
Tensor concat(const std::vector<Tensor>& xs, int dim);
Tensor slice(const Tensor& x, int dim, std::int64_t start, std::int64_t end);

// ---- Linear algebra ----
// (M, K) x (K, N) -> (M, N); trans_a / trans_b read a or b transposed.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
// x (N, in), weight (out, in), bias (out) or undefined -> (N, out).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

// ---- Convolution (NCHW input, (K, C, R, S) weight) ----
struct Conv2dOptions {
  int stride = 1;
  int padding = 0;
};
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, Conv2dOptions opt = {});
// The two adjoints of conv2d, ops in their own right so that their gradients can be recorded.
Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             Conv2dOptions opt);
Tensor conv2d_backward_weight(const Tensor& x, const Tensor& grad_out, const Shape& weight_shape,
                              Conv2dOptions opt);

// ---- Resampling (NCHW) ----
Tensor upsample_nearest2x(const Tensor& x);
Tensor avg_pool2x2(const Tensor& x);
Tensor max_pool2x2(const Tensor& x);

// ---- Layers and losses ----
struct BatchNormState {
  Tensor running_mean;  // (C)
  Tensor running_var;   // (C), unbiased
  double momentum = 0.1;
  double eps = 1e-5;
};
// Per-channel normalization of (N, C) or (N, C, H, W). Training uses the batch statistics and
// updates the running ones; evaluation uses the running statistics. Training runs one fused kernel
// forward and one backward (engine/ops_batch_norm.cpp), and stays differentiable to any order: a
// recorded backward pass (create_graph) computes the same gradients from differentiable ops.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state,
                  bool training);
// relu(batch_norm(...)), the ReLU fused into the same kernels in training.
Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state,
                       bool training);
namespace unfused {
// Batch norm as the composition of basic ops that defines it (mean, sub, square, rsqrt, mul, add),
// with the same running-statistics update; tests and benchmarks compare the fused op with it.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state,
                  bool training);
}  // namespace unfused
// Zeroes each element with probability p (a Philox mask) and scales the rest by 1 / (1 - p).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
// log(softmax(x)) over dim 1 of (N, C), computed stably.
Tensor log_softmax(const Tensor& logits);
// Mean over the batch of -log softmax(logits)[label]; optional per-class weights as in PyTorch.
Tensor cross_entropy(const Tensor& logits, const std::vector<int>& labels,
                     const std::vector<double>& class_weights = {});
Tensor mse_loss(const Tensor& prediction, const Tensor& target);

// ---- Non-differentiable helpers ----
// One-hot rows (N, classes) on the device and dtype given.
Tensor one_hot(const std::vector<int>& labels, int classes, TensorOptions opt = {});
// Index of the largest value in each row of (N, C).
std::vector<int> argmax_rows(const Tensor& x);

}  // namespace gg

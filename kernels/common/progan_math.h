#pragma once
// The per-element math of ProGAN's kernels (engine/progan_backend.h), written once for the CPU
// loops (kernels/cpu/progan_*.cpp), the CUDA kernels (kernels/cuda/progan_*.cu) and the CPU
// replays of the CUDA summation orders (kernels/common/progan_replay.h). Statistics are taken in
// double, whatever the tensors' dtype.
//
// Every multiply-add is written as an explicit fused multiply-add (fma_rn: one rounding). Both
// compilers contract a * b + c into an FMA on their own where they see fit (g++ does in C++ mode,
// and in vectorised loops even across __builtin_assoc_barrier; nvcc does by default), so the only
// way to have both backends round every step alike is to leave them nothing to contract. Then
// the elementwise kernels give the same bits on both (kernels/common/fma_rn.h).
#include <cmath>
#include <cstdint>

#include "kernels/common/elementwise_math.h"
#include "kernels/common/fma_rn.h"
#include "kernels/common/host_device.h"

namespace gg {

GG_HD double add_square(double acc, double v) { return fma_rn(v, v, acc); }
GG_HD double add_product(double acc, double a, double b) { return fma_rn(a, b, acc); }

// ---- pixel norm: y = x r, r = (mean over C of x^2 + eps)^(-1/2) ----

GG_HD double pixel_norm_rsqrt(double sum_squares, double channels, double eps) {
  return 1.0 / std::sqrt(sum_squares / channels + eps);
}

template <typename T>
GG_HD T pixel_norm_value(T x, double r) {
  return static_cast<T>(static_cast<double>(x) * r);
}

// The input gradient is gx = r g - k x with k = r^3 mean_c(g x), from the sum over C of g x.
GG_HD double pixel_norm_grad_coef(double r, double sum_gx, double channels) {
  return r * r * r * (sum_gx / channels);
}

template <typename T>
GG_HD T pixel_norm_grad(T x, T g, double r, double k) {
  // k x rounded alone, then one FMA: no product is left next to an add for a compiler to fuse.
  return static_cast<T>(fma_rn(r, static_cast<double>(g), -(k * static_cast<double>(x))));
}

// ---- minibatch standard deviation ----

constexpr double kMinibatchStdEps = 1e-8;  // inside the sqrt, as the official code

// The std of one feature over its group, from the sum of squared deviations from the group mean.
GG_HD double group_std(double sum_squared_deviations, double inv_group) {
  return std::sqrt(fma_rn(sum_squared_deviations, inv_group, kMinibatchStdEps));
}

// The group mean from the sum: a division, where a product by 1/G could be fused into the x - mean
// that follows.
GG_HD double group_mean(double sum, std::int64_t group) { return sum / static_cast<double>(group); }

// Mean and std of the feature at x[0], x[stride], ... x[(group - 1) stride]: two passes in sample
// order, the CPU kernel's order (it runs the same steps over a chunk of features at once).
template <typename T>
GG_HD void group_stats(const T* x, std::int64_t group, std::int64_t stride, double& mean, double& sd) {
  double sum = 0;
  for (std::int64_t g = 0; g < group; ++g) sum += static_cast<double>(x[g * stride]);
  mean = group_mean(sum, group);
  double squares = 0;
  for (std::int64_t g = 0; g < group; ++g) squares = add_square(squares, static_cast<double>(x[g * stride]) - mean);
  sd = group_std(squares, 1.0 / static_cast<double>(group));
}

// The appended channel: the mean over the F features of their stds, from their sum.
template <typename T>
GG_HD T stddev_channel_value(double sum_of_stds, std::int64_t features) {
  return static_cast<T>(sum_of_stds / static_cast<double>(features));
}

// d s / d x = (x - mean) / (F G sd) for s = mean_f sd_f: the factor F G of it, applied to the sum of
// the appended channel's gradient over the group's samples and pixels.
GG_HD double stddev_grad_coef(double sum_extra_grad, std::int64_t features, std::int64_t group) {
  return sum_extra_grad / static_cast<double>(features * group);
}

// gx = gy + (x - mean) factor, factor = coef / sd.
template <typename T>
GG_HD T stddev_input_grad(T gy, T x, double mean, double factor) {
  return static_cast<T>(fma_rn(static_cast<double>(x) - mean, factor, static_cast<double>(gy)));
}

// ---- the equalized layers' epilogue, leaky ReLU's backward, fade-in ----

template <bool Leaky, typename T>
GG_HD T scale_bias_activate_value(T z, T scale, T bias, T slope) {
  const T v = fma_rn(scale, z, bias);
  if constexpr (Leaky) return unary_apply<UnaryOp::leaky_relu>(v, slope);
  else return v;
}

// g times scale where the output y is positive, slope * scale elsewhere (both precomputed).
template <typename T>
GG_HD T leaky_relu_grad_value(T g, T y, T positive, T negative) {
  return g * (y > T(0) ? positive : negative);
}

template <typename T>
GG_HD T fade_in_value(T old_value, T new_value, T alpha) {
  return fma_rn(new_value - old_value, alpha, old_value);
}

// ---- the resampling convolutions' kernels ----
// A (k, k) plane w, read as padded by one zero on every side, gives the (k + 1, k + 1) kernel of
// a fused resampling convolution from sums over its four 2x2 shifts,
// shift_sum(a, b) = (w[a-1][b-1] + w[a][b-1]) + (w[a-1][b] + w[a][b]), pairs along the rows first:
// - downscale (conv + 2x2 average pool as one stride-2 conv): out[a][b] = shift_sum(a, b) / 4;
// - upscale (nearest 2x upsample + conv as one stride-2 transposed conv, run as a conv's input
//   gradient): out[a][b] = shift_sum(k - a, k - b), the sum flipped in both axes, because the
//   input gradient correlates with the kernel turned around.
// The plane of a weight that the kernel's plane p is made from (and back, for the adjoint): the
// same one, or with the upscale kernel's swapped channel axes, plane (a, b) of (A, B, ...) <-
// plane (b, a) of (B, A, ...): rows = A, columns = B (rows = 1 keeps every plane in place).
GG_HD std::int64_t resample_source_plane(std::int64_t p, std::int64_t rows, std::int64_t columns) {
  return (p % columns) * rows + p / columns;
}

template <typename T>
GG_HD T padded_at(const T* plane, int k, int i, int j) {
  return i >= 0 && i < k && j >= 0 && j < k ? plane[i * k + j] : T(0);
}

template <typename T>
GG_HD T shift_sum(const T* w, int k, int a, int b) {
  return (padded_at(w, k, a - 1, b - 1) + padded_at(w, k, a, b - 1)) + (padded_at(w, k, a - 1, b) + padded_at(w, k, a, b));
}

// The adjoint's sum, from a (k + 1, k + 1) plane g: the 2x2 window at (a, b), ((g[a][b] + g[a][b+1])
// + (g[a+1][b] + g[a+1][b+1])), pairs along the columns first (the order of the forward's backward
// read right to left).
template <typename T>
GG_HD T window_sum(const T* g, int k, int a, int b) {
  const int n = k + 1;
  return (g[a * n + b] + g[a * n + b + 1]) + (g[(a + 1) * n + b] + g[(a + 1) * n + b + 1]);
}

template <typename T>
GG_HD T downscale_kernel_value(const T* w, int k, int a, int b) {
  return T(0.25) * shift_sum(w, k, a, b);
}

template <typename T>
GG_HD T downscale_kernel_adjoint_value(const T* g, int k, int a, int b) {
  return T(0.25) * window_sum(g, k, a, b);
}

template <typename T>
GG_HD T upscale_kernel_value(const T* w, int k, int a, int b) {
  return shift_sum(w, k, k - a, k - b);
}

// w[a][b] is in out[a'][b'] for a' in {k - 1 - a, k - a} (and alike for b): the window at
// (k - 1 - a, k - 1 - b).
template <typename T>
GG_HD T upscale_kernel_adjoint_value(const T* g, int k, int a, int b) {
  return window_sum(g, k, k - 1 - a, k - 1 - b);
}

}  // namespace gg

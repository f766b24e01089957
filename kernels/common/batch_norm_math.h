#pragma once
// The per-element math of the fused training-mode batch norm (+ ReLU), written once for the CPU
// loops (kernels/cpu/batch_norm.cpp) and the CUDA kernels (kernels/cuda/batch_norm.cu).
//
// A channel's M values are summed in double as x - shift and (x - shift)^2, with the channel's
// first value as the shift: one pass, and no cancellation between E[x^2] and E[x]^2 when the mean
// is far from zero (the "shifted data" algorithm). The statistics stay in double (the op saves
// them as f64 tensors), so an f32 channel whose mean is large against its spread loses nothing to
// a rounded mean, and the forward and the backward compute from the same values.
#include <cmath>

#include "kernels/common/fma_rn.h"
#include "kernels/common/host_device.h"

namespace gg {

// Mean and biased variance from the sums of d = x - shift and d^2 over `count` values.
GG_HD double batch_norm_mean(double sum, double count, double shift) { return shift + sum / count; }
GG_HD double batch_norm_var(double sum, double sum_squares, double count) {
  const double m = sum / count;
  const double var = fma_rn(-m, m, sum_squares / count);
  return var > 0 ? var : 0.0;  // rounding can leave a constant channel slightly negative
}
GG_HD double batch_norm_invstd(double var, double eps) { return 1.0 / std::sqrt(var + eps); }

// gamma invstd: the forward and the backward both take it from here.
template <typename T>
GG_HD double batch_norm_scale(double invstd, T gamma) {
  return invstd * static_cast<double>(gamma);
}

// The normalised value (x - mean) scale + beta with scale = gamma invstd, rounded to T: the output
// without the ReLU, and the ReLU's input. The backward recomputes it with this same expression to
// find the ReLU's mask, so the mask is exactly the forward's (output > 0).
template <typename T>
GG_HD T batch_norm_z(T x, double mean, double scale, double beta) {
  return static_cast<T>(fma_rn(static_cast<double>(x) - mean, scale, beta));
}

template <bool Relu, typename T>
GG_HD T batch_norm_value(T x, double mean, double scale, double beta) {
  const T z = batch_norm_z(x, mean, scale, beta);
  if constexpr (Relu) return z > T(0) ? z : T(0);
  else return z;
}

// Evaluation mode: z = x scale + shift with the running statistics folded into scale and shift
// (C, in T), rounded after the product and after the sum as the composed ops (mul, then add, then
// relu) round, so a model gives the same bits whether or not its graph is recorded.
template <bool Relu, typename T>
GG_HD T batch_norm_inference_value(T x, T scale, T shift) {
  const T z = add_rn(mul_rn(x, scale), shift);
  if constexpr (Relu) return z > T(0) ? z : T(0);
  else return z;
}

// The gradient that reaches the normalised value: gy, times the ReLU's mask as relu's own backward
// does (mul by step).
template <bool Relu, typename T>
GG_HD double batch_norm_grad_z(T gy, T x, double mean, double scale, double beta) {
  if constexpr (Relu) return static_cast<double>(gy) * (batch_norm_z(x, mean, scale, beta) > T(0) ? 1.0 : 0.0);
  else return static_cast<double>(gy);
}

// gx = gamma invstd (g - mean(g) - xhat mean(g xhat)) with xhat = (x - mean) invstd, written as
// gx = g scale + offset - (x - mean) slope from the channel's sums of g and of g (x - mean).
struct BatchNormGradCoefs {
  double scale, offset, slope;
};
GG_HD BatchNormGradCoefs batch_norm_grad_coefs(double scale, double invstd, double sum_g, double sum_g_centered,
                                               double count) {
  return {scale, -scale * (sum_g / count), scale * invstd * invstd * (sum_g_centered / count)};
}

template <typename T>
GG_HD T batch_norm_input_grad(double g, T x, double mean, const BatchNormGradCoefs& k) {
  return static_cast<T>(fma_rn(g, k.scale, fma_rn(static_cast<double>(x) - mean, -k.slope, k.offset)));
}

}  // namespace gg

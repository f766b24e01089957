#pragma once
// Plain, obviously-correct reference implementations in double: loops straight from the
// definitions, no blocking, no BLAS. The engine's kernels are checked against these.
#include <cmath>
#include <vector>

#include "engine/tensor.h"

namespace gg::reference {

inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
inline Tensor make(const std::vector<double>& v, const Shape& s) { return Tensor::from_vector(v, s); }

// y[n,k,p,q] = sum_{c,r,s} x[n,c,p*st-pad+r,q*st-pad+s] w[k,c,r,s]
inline Tensor conv2d(const Tensor& xt, const Tensor& wt, int stride, int pad) {
  const auto x = values(xt), w = values(wt);
  const std::int64_t N = xt.size(0), C = xt.size(1), H = xt.size(2), W = xt.size(3);
  const std::int64_t K = wt.size(0), R = wt.size(2), S = wt.size(3);
  const std::int64_t P = (H + 2 * pad - R) / stride + 1, Q = (W + 2 * pad - S) / stride + 1;
  std::vector<double> y(static_cast<std::size_t>(N * K * P * Q), 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t k = 0; k < K; ++k)
      for (std::int64_t p = 0; p < P; ++p)
        for (std::int64_t q = 0; q < Q; ++q) {
          double acc = 0;
          for (std::int64_t c = 0; c < C; ++c)
            for (std::int64_t r = 0; r < R; ++r)
              for (std::int64_t s = 0; s < S; ++s) {
                const std::int64_t ih = p * stride - pad + r, iw = q * stride - pad + s;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += x[static_cast<std::size_t>(((n * C + c) * H + ih) * W + iw)] *
                       w[static_cast<std::size_t>(((k * C + c) * R + r) * S + s)];
              }
          y[static_cast<std::size_t>(((n * K + k) * P + p) * Q + q)] = acc;
        }
  return make(y, {N, K, P, Q});
}

inline Tensor matmul(const Tensor& at, const Tensor& bt) {
  const auto a = values(at), b = values(bt);
  const std::int64_t M = at.size(0), K = at.size(1), N = bt.size(1);
  std::vector<double> c(static_cast<std::size_t>(M * N), 0.0);
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j)
      for (std::int64_t k = 0; k < K; ++k)
        c[static_cast<std::size_t>(i * N + j)] += a[static_cast<std::size_t>(i * K + k)] * b[static_cast<std::size_t>(k * N + j)];
  return make(c, {M, N});
}

inline Tensor transpose(const Tensor& t) {
  const auto v = values(t);
  const std::int64_t R = t.size(0), C = t.size(1);
  std::vector<double> o(v.size());
  for (std::int64_t i = 0; i < R; ++i)
    for (std::int64_t j = 0; j < C; ++j) o[static_cast<std::size_t>(j * R + i)] = v[static_cast<std::size_t>(i * C + j)];
  return make(o, {C, R});
}

// Applies f to each 2x2 window (values in order TL, TR, BL, BR) of every plane.
template <typename F>
Tensor pool2x2(const Tensor& xt, F f) {
  const auto x = values(xt);
  const std::int64_t NC = xt.size(0) * xt.size(1), H = xt.size(2), W = xt.size(3);
  std::vector<double> y(static_cast<std::size_t>(NC * (H / 2) * (W / 2)));
  for (std::int64_t pl = 0; pl < NC; ++pl)
    for (std::int64_t i = 0; i < H / 2; ++i)
      for (std::int64_t j = 0; j < W / 2; ++j) {
        auto at = [&](std::int64_t r, std::int64_t c) { return x[static_cast<std::size_t>((pl * H + r) * W + c)]; };
        y[static_cast<std::size_t>((pl * (H / 2) + i) * (W / 2) + j)] =
            f(at(2 * i, 2 * j), at(2 * i, 2 * j + 1), at(2 * i + 1, 2 * j), at(2 * i + 1, 2 * j + 1));
      }
  return make(y, {xt.size(0), xt.size(1), H / 2, W / 2});
}

inline Tensor upsample2x(const Tensor& xt) {
  const auto x = values(xt);
  const std::int64_t NC = xt.size(0) * xt.size(1), H = xt.size(2), W = xt.size(3);
  std::vector<double> y(static_cast<std::size_t>(NC * 4 * H * W));
  for (std::int64_t pl = 0; pl < NC; ++pl)
    for (std::int64_t i = 0; i < 2 * H; ++i)
      for (std::int64_t j = 0; j < 2 * W; ++j)
        y[static_cast<std::size_t>((pl * 2 * H + i) * 2 * W + j)] = x[static_cast<std::size_t>((pl * H + i / 2) * W + j / 2)];
  return make(y, {xt.size(0), xt.size(1), 2 * H, 2 * W});
}

inline Tensor log_softmax(const Tensor& xt) {
  const auto x = values(xt);
  const std::int64_t R = xt.size(0), C = xt.size(1);
  std::vector<double> y(x.size());
  for (std::int64_t r = 0; r < R; ++r) {
    double s = 0;
    for (std::int64_t c = 0; c < C; ++c) s += std::exp(x[static_cast<std::size_t>(r * C + c)]);
    for (std::int64_t c = 0; c < C; ++c) y[static_cast<std::size_t>(r * C + c)] = x[static_cast<std::size_t>(r * C + c)] - std::log(s);
  }
  return make(y, xt.shape());
}

}  // namespace gg::reference

#pragma once
// Plain, obviously-correct reference implementations in double: loops straight from the
// definitions, no blocking, no BLAS. The engine's kernels are checked against these.
#include <algorithm>
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

// f applied to every element.
template <typename F>
Tensor map(const Tensor& xt, F f) {
  std::vector<double> y = values(xt);
  for (double& e : y) e = f(e);
  return make(y, xt.shape());
}

// out = f(a, b) with numpy broadcasting, by index arithmetic: shapes align from the right and
// size-1 dims stretch.
template <typename F>
Tensor broadcast(const Tensor& at, const Tensor& bt, F f) {
  const std::size_t rank = std::max(at.shape().size(), bt.shape().size());
  Shape sa(rank - at.shape().size(), 1), sb(rank - bt.shape().size(), 1), so(rank);
  sa.insert(sa.end(), at.shape().begin(), at.shape().end());
  sb.insert(sb.end(), bt.shape().begin(), bt.shape().end());
  for (std::size_t i = 0; i < rank; ++i) so[i] = std::max(sa[i], sb[i]);
  const auto a = values(at), b = values(bt);
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
    out[static_cast<std::size_t>(flat)] = f(a[static_cast<std::size_t>(ia)], b[static_cast<std::size_t>(ib)]);
  }
  return make(out, so);
}

// Sum over `dims` (negative counts from the end): every element added into the output element
// whose index has those dims set to 0; keepdim leaves them as size 1.
inline Tensor sum(const Tensor& xt, const std::vector<int>& dims, bool keepdim) {
  const Shape& in = xt.shape();
  const int rank = static_cast<int>(in.size());
  std::vector<bool> reduced(in.size(), false);
  for (int d : dims) reduced[static_cast<std::size_t>(d < 0 ? d + rank : d)] = true;
  Shape keep = in, dropped;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (reduced[d]) keep[d] = 1;
    else dropped.push_back(in[d]);
  }
  const auto x = values(xt);
  std::vector<double> y(static_cast<std::size_t>(shape_numel(keep)), 0.0);
  for (std::int64_t flat = 0; flat < xt.numel(); ++flat) {
    std::int64_t rem = flat, out = 0, stride = 1;
    for (std::size_t d = in.size(); d-- > 0;) {
      const std::int64_t idx = rem % in[d];
      rem /= in[d];
      out += (reduced[d] ? 0 : idx) * stride;
      stride *= keep[d];
    }
    y[static_cast<std::size_t>(out)] += x[static_cast<std::size_t>(flat)];
  }
  return make(y, keepdim ? keep : dropped);
}

// a and b joined along dim: a's slices first, then b's.
inline Tensor concat(const Tensor& at, const Tensor& bt, int dim) {
  const auto a = values(at), b = values(bt);
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < dim; ++d) outer *= at.size(d);
  for (int d = dim + 1; d < at.dim(); ++d) inner *= at.size(d);
  const std::int64_t na = at.size(dim) * inner, nb = bt.size(dim) * inner;
  std::vector<double> y;
  for (std::int64_t o = 0; o < outer; ++o) {
    y.insert(y.end(), a.begin() + o * na, a.begin() + (o + 1) * na);
    y.insert(y.end(), b.begin() + o * nb, b.begin() + (o + 1) * nb);
  }
  Shape s = at.shape();
  s[static_cast<std::size_t>(dim)] += bt.size(dim);
  return make(y, s);
}

// Indices [start, end) of dim.
inline Tensor slice(const Tensor& xt, int dim, std::int64_t start, std::int64_t end) {
  const auto x = values(xt);
  std::int64_t outer = 1, inner = 1;
  for (int d = 0; d < dim; ++d) outer *= xt.size(d);
  for (int d = dim + 1; d < xt.dim(); ++d) inner *= xt.size(d);
  std::vector<double> y;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = start; i < end; ++i)
      for (std::int64_t j = 0; j < inner; ++j) y.push_back(x[static_cast<std::size_t>((o * xt.size(dim) + i) * inner + j)]);
  Shape s = xt.shape();
  s[static_cast<std::size_t>(dim)] = end - start;
  return make(y, s);
}

// Training-mode batch norm of (N, C) or (N, C, H, W): each channel's values over N, H and W less
// their mean, over the square root of their biased variance + eps, times gamma, plus beta.
inline Tensor batch_norm(const Tensor& xt, const Tensor& gamma, const Tensor& beta, double eps) {
  const auto x = values(xt), g = values(gamma), b = values(beta);
  const std::int64_t N = xt.size(0), C = xt.size(1), HW = xt.numel() / (N * C);
  std::vector<double> y(x.size());
  for (std::int64_t c = 0; c < C; ++c) {
    auto at = [&](std::int64_t n, std::int64_t i) { return static_cast<std::size_t>((n * C + c) * HW + i); };
    double m = 0, var = 0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) m += x[at(n, i)] / static_cast<double>(N * HW);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) var += (x[at(n, i)] - m) * (x[at(n, i)] - m) / static_cast<double>(N * HW);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i)
        y[at(n, i)] = (x[at(n, i)] - m) / std::sqrt(var + eps) * g[static_cast<std::size_t>(c)] + b[static_cast<std::size_t>(c)];
  }
  return make(y, xt.shape());
}

// Evaluation-mode batch norm: each channel's values less its running mean, over the square root of
// its running variance + eps, times gamma, plus beta.
inline Tensor batch_norm_evaluation(const Tensor& xt, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                                    const Tensor& running_var, double eps) {
  const auto x = values(xt), g = values(gamma), b = values(beta), rm = values(running_mean), rv = values(running_var);
  const std::int64_t C = xt.size(1), inner = xt.numel() / (xt.size(0) * C);
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto c = static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % C);
    y[i] = (x[i] - rm[c]) / std::sqrt(rv[c] + eps) * g[c] + b[c];
  }
  return make(y, xt.shape());
}

// Mean over rows of -log softmax(logits)[label], weighted by class as PyTorch does (sum of w * nll
// over sum of w); no weights: all 1.
inline Tensor cross_entropy(const Tensor& logits, const std::vector<int>& labels, const std::vector<double>& weights) {
  const auto ls = values(reference::log_softmax(logits));
  const std::size_t C = static_cast<std::size_t>(logits.size(1));
  double total = 0, wsum = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::size_t label = static_cast<std::size_t>(labels[i]);
    const double w = weights.empty() ? 1.0 : weights[label];
    total -= w * ls[i * C + label];
    wsum += w;
  }
  return make({total / wsum}, {});
}

inline Tensor mse(const Tensor& at, const Tensor& bt) {
  const auto a = values(at), b = values(bt);
  double total = 0;
  for (std::size_t i = 0; i < a.size(); ++i) total += (a[i] - b[i]) * (a[i] - b[i]);
  return make({total / static_cast<double>(a.size())}, {});
}

}  // namespace gg::reference

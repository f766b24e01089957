// Training-mode batch norm (+ ReLU) over the channels of (outer, C, inner), OpenMP over channels.
// A channel is `outer` contiguous runs of `inner` values (one value each for (N, C)). Each kernel
// makes two passes over a channel: its sums (in double, vectorised), then the elementwise output.
// The per-element math is kernels/common/batch_norm_math.h, shared with the CUDA kernels. The
// ReLU's selects vectorise because the project compiles with -fno-trapping-math (CMakeLists.txt).
#include <algorithm>
#include <type_traits>

#include "kernels/common/batch_norm_math.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

struct Layout {
  std::int64_t outer, c, inner;
  std::int64_t count() const { return outer * inner; }
  std::int64_t row(std::int64_t n, std::int64_t ch) const { return (n * c + ch) * inner; }
};

Layout layout_of(const Tensor& x) {
  const std::int64_t outer = x.size(0), c = x.size(1);
  return {outer, c, x.numel() / (outer * c)};
}

// Calls body(channel) for every channel; threads only where a chunk of channels is large enough.
template <typename F>
void for_each_channel(const Layout& l, F&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, l.count()));
  cpu::parallel_for(l.c, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t ch = begin; ch < end; ++ch) body(ch);
  });
}

// The sums over one run, added to the channel's. `omp simd` lets the compiler keep a partial sum
// per vector lane, a reordering it may not make on its own in floating point; the order is fixed by
// the run's length alone, whatever the thread count. The accumulations are plain `+=` (not fma_rn):
// neither g++ nor clang vectorises a reduction written as an explicit fma.

// Of d = x - shift and of d^2.
template <typename T>
void add_shifted_sums(const T* x, std::int64_t len, double shift, double& sum, double& squares) {
  double s = 0, q = 0;
#pragma omp simd reduction(+ : s, q)
  for (std::int64_t i = 0; i < len; ++i) {
    const double d = static_cast<double>(x[i]) - shift;
    s += d;
    q += d * d;
  }
  sum += s;
  squares += q;
}

// Of g (gy where the ReLU was on) and of g (x - mean).
template <bool Relu, typename T>
void add_grad_sums(const T* x, const T* gy, std::int64_t len, double m, double scale, double beta, double& sum,
                   double& dot) {
  double s = 0, d = 0;
#pragma omp simd reduction(+ : s, d)
  for (std::int64_t i = 0; i < len; ++i) {
    const double g = batch_norm_grad_z<Relu>(gy[i], x[i], m, scale, beta);
    s += g;
    d += g * (static_cast<double>(x[i]) - m);
  }
  sum += s;
  dot += d;
}

// The elementwise passes over one run, on pointers that do not alias (y and gx are new tensors).
template <bool Relu, typename T>
void normalize_run(const T* __restrict in, T* __restrict out, std::int64_t len, double m, double scale, double beta) {
  for (std::int64_t i = 0; i < len; ++i) out[i] = batch_norm_value<Relu>(in[i], m, scale, beta);
}

template <bool Relu, typename T>
void input_grad_run(const T* __restrict x, const T* __restrict gy, T* __restrict gx, std::int64_t len, double m,
                    double scale, double beta, const BatchNormGradCoefs& k) {
  for (std::int64_t i = 0; i < len; ++i)
    gx[i] = batch_norm_input_grad(batch_norm_grad_z<Relu>(gy[i], x[i], m, scale, beta), x[i], m, k);
}

template <bool Relu, typename T>
void forward(const Layout& l, const T* x, const T* gamma, const T* beta, T* y, double* mean, double* var, double* invstd,
             double eps) {
  const auto count = static_cast<double>(l.count());
  for_each_channel(l, [&](std::int64_t ch) {
    const double shift = static_cast<double>(x[l.row(0, ch)]);
    double s = 0, q = 0;
    for (std::int64_t n = 0; n < l.outer; ++n) add_shifted_sums(x + l.row(n, ch), l.inner, shift, s, q);
    const double m = batch_norm_mean(s, count, shift), v = batch_norm_var(s, q, count);
    const double inv = batch_norm_invstd(v, eps), scale = batch_norm_scale(inv, gamma[ch]);
    mean[ch] = m;
    var[ch] = v;
    invstd[ch] = inv;
    for (std::int64_t n = 0; n < l.outer; ++n)
      normalize_run<Relu>(x + l.row(n, ch), y + l.row(n, ch), l.inner, m, scale, static_cast<double>(beta[ch]));
  });
}

template <bool Relu, typename T>
void backward(const Layout& l, const T* x, const T* gy, const T* gamma, const T* beta, const double* mean,
              const double* invstd, T* gx, T* ggamma, T* gbeta) {
  const auto count = static_cast<double>(l.count());
  for_each_channel(l, [&](std::int64_t ch) {
    const double m = mean[ch], inv = invstd[ch], scale = batch_norm_scale(inv, gamma[ch]);
    const auto b = static_cast<double>(beta[ch]);
    double sum_g = 0, dot = 0;
    for (std::int64_t n = 0; n < l.outer; ++n)
      add_grad_sums<Relu>(x + l.row(n, ch), gy + l.row(n, ch), l.inner, m, scale, b, sum_g, dot);
    gbeta[ch] = static_cast<T>(sum_g);
    ggamma[ch] = static_cast<T>(dot * inv);
    const BatchNormGradCoefs k = batch_norm_grad_coefs(scale, inv, sum_g, dot, count);
    for (std::int64_t n = 0; n < l.outer; ++n) {
      const std::int64_t base = l.row(n, ch);
      input_grad_run<Relu>(x + base, gy + base, gx + base, l.inner, m, scale, b, k);
    }
  });
}

// f(std::bool_constant<relu>{}): the ReLU as a template argument, so the loops carry no branch on it.
template <typename F>
void with_relu(bool relu, F&& f) {
  if (relu) f(std::true_type{});
  else f(std::false_type{});
}

}  // namespace

void CpuBackend::batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y,
                                    const Tensor& mean, const Tensor& var, const Tensor& invstd, double eps, bool relu) {
  if (x.numel() == 0) return;
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    with_relu(relu, [&](auto r) {
      forward<decltype(r)::value>(layout_of(x), x.data<T>(), gamma.data<T>(), beta.data<T>(), y.data<T>(), mean.data<double>(),
                                  var.data<double>(), invstd.data<double>(), eps);
    });
  });
}

void CpuBackend::batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta,
                                     const Tensor& mean, const Tensor& invstd, const Tensor& gx, const Tensor& ggamma,
                                     const Tensor& gbeta, bool relu) {
  if (x.numel() == 0) return;
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    with_relu(relu, [&](auto r) {
      backward<decltype(r)::value>(layout_of(x), x.data<T>(), gy.data<T>(), gamma.data<T>(), beta.data<T>(),
                                   mean.data<double>(), invstd.data<double>(), gx.data<T>(), ggamma.data<T>(), gbeta.data<T>());
    });
  });
}

}  // namespace gg

// Training-mode batch norm (+ ReLU) over the channels of (outer, C, inner), OpenMP over channels.
// Each kernel makes two passes over a channel: its sums (in double), then the elementwise output.
// The per-element math is kernels/common/batch_norm_math.h, shared with the CUDA kernels. The
// ReLU's selects vectorise because the project compiles with -fno-trapping-math (CMakeLists.txt).
//
// The kernels work on groups of `Lanes` channels. Plain NCHW is Lanes = 1: a channel is `outer`
// contiguous runs of `inner` values. Where a convolution left x (and, backward, the gradient) in
// oneDNN's channel-blocked layout (kernels/cpu/blocked_layout.h), a group is one channel block of
// Lanes = Block channels whose runs interleave them, and the output is written blocked too, so the
// next convolution reads it without a reorder. Each run is summed in interleaved_sums.h's fixed
// order, and the file is compiled with -ffp-contract=off (engine/CMakeLists.txt), so every product
// and sum rounds on its own in both loops, and both layouts give the same bits.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/common/batch_norm_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/interleaved_sums.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

template <int Lanes>
struct Layout {
  std::int64_t outer, c, inner;
  std::int64_t count() const { return outer * inner; }
  std::int64_t groups() const { return c / Lanes; }
  // Sample n's run of the group: value i of lane l at run(n, group) + i * Lanes + l.
  std::int64_t run(std::int64_t n, std::int64_t group) const { return (n * groups() + group) * inner * Lanes; }
};

Layout<1> plain_layout(const Tensor& x) {
  const std::int64_t outer = x.size(0), c = x.size(1);
  return {outer, c, x.numel() / (outer * c)};
}

template <int Lanes>
Layout<Lanes> blocked_layout(const cpu::ChannelBlocked& x) {
  return {x.n, x.c, x.hw};
}

// Calls body(group) for every group; threads only where a chunk of groups is large enough.
template <int Lanes, typename F>
void for_each_group(const Layout<Lanes>& l, F&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, l.count() * Lanes));
  cpu::parallel_for(l.groups(), grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t g = begin; g < end; ++g) body(g);
  });
}

// A value's terms in a kernel's two sums: `term` into the first, product_a * product_b into the
// second (a product and a sum, not an fma: g++ vectorises neither loop with an fma in it).
struct SumTerms {
  double term, product_a, product_b;
};

// Two sums per lane over one run of `len` values, added to a and b; terms(at, lane) gives the terms
// of the value at offset `at` of the run, of that lane. In interleaved_sums.h's order, with a
// block's lanes side by side as the vector loop.
template <int Lanes, typename Terms>
void add_run_sums(std::int64_t len, Terms&& terms, double (&a)[Lanes], double (&b)[Lanes]) {
  // Partial f = j * Lanes + lane takes value i + j of the lane, which sits at i * Lanes + f.
  constexpr int kWidth = cpu::kPartials * Lanes;
  double pa[kWidth] = {}, pb[kWidth] = {};
  std::int64_t i = 0;
  if constexpr (Lanes == 1) {
    // The same for one lane, which g++ would leave scalar: the terms of a chunk first (an
    // elementwise loop, vectorised), then the partials as one vector.
    using Partials = double __attribute__((vector_size(cpu::kPartials * sizeof(double))));
    constexpr std::int64_t kChunk = 32 * cpu::kPartials;
    double terms_a[kChunk], terms_b[kChunk];
    Partials va = {}, vb = {};
    const std::int64_t whole = len - len % cpu::kPartials;
    for (std::int64_t c = 0; c < whole; c += kChunk) {
      const std::int64_t n = std::min(kChunk, whole - c);
      for (std::int64_t k = 0; k < n; ++k) {
        const SumTerms t = terms(c + k, 0);
        terms_a[k] = t.term;
        terms_b[k] = t.product_a * t.product_b;
      }
      for (std::int64_t k = 0; k < n; k += cpu::kPartials) {
        Partials ta, tb;
        std::memcpy(&ta, terms_a + k, sizeof ta);
        std::memcpy(&tb, terms_b + k, sizeof tb);
        va += ta;
        vb += tb;
      }
    }
    for (int j = 0; j < cpu::kPartials; ++j) {
      pa[j] = va[j];
      pb[j] = vb[j];
    }
    i = whole;
  }
  for (; i + cpu::kPartials <= len; i += cpu::kPartials)
    for (int j = 0; j < cpu::kPartials; ++j)
      for (int l = 0; l < Lanes; ++l) {  // the vector loop
        const SumTerms t = terms((i + j) * Lanes + l, l);
        pa[j * Lanes + l] += t.term;
        pb[j * Lanes + l] += t.product_a * t.product_b;
      }
  for (int l = 0; l < Lanes; ++l) {
    double ra = cpu::add_partials([&](int j) { return pa[j * Lanes + l]; });
    double rb = cpu::add_partials([&](int j) { return pb[j * Lanes + l]; });
    for (std::int64_t k = i; k < len; ++k) {
      const SumTerms t = terms(k * Lanes + l, l);
      ra += t.term;
      rb += t.product_a * t.product_b;
    }
    a[l] += ra;
    b[l] += rb;
  }
}

template <bool Relu, int Lanes, typename T>
void forward(const Layout<Lanes>& l, const T* x, const T* gamma, const T* beta, T* y, double* mean, double* var,
             double* invstd, double eps) {
  const auto count = static_cast<double>(l.count());
  for_each_group(l, [&](std::int64_t group) {
    const std::int64_t c0 = group * Lanes;
    double shift[Lanes], s[Lanes] = {}, q[Lanes] = {};
    for (int lane = 0; lane < Lanes; ++lane) shift[lane] = static_cast<double>(x[l.run(0, group) + lane]);
    // Of d = x - shift and of d^2.
    for (std::int64_t n = 0; n < l.outer; ++n) {
      const T* p = x + l.run(n, group);
      add_run_sums<Lanes>(l.inner, [&](std::int64_t at, int lane) {
        const double d = static_cast<double>(p[at]) - shift[lane];
        return SumTerms{d, d, d};
      }, s, q);
    }
    double m[Lanes], scale[Lanes], b[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      const std::int64_t ch = c0 + lane;
      m[lane] = batch_norm_mean(s[lane], count, shift[lane]);
      const double v = batch_norm_var(s[lane], q[lane], count), inv = batch_norm_invstd(v, eps);
      scale[lane] = batch_norm_scale(inv, gamma[ch]);
      b[lane] = static_cast<double>(beta[ch]);
      mean[ch] = m[lane];
      var[ch] = v;
      invstd[ch] = inv;
    }
    for (std::int64_t n = 0; n < l.outer; ++n) {
      const T* __restrict in = x + l.run(n, group);
      T* __restrict out = y + l.run(n, group);
      for (std::int64_t i = 0; i < l.inner; ++i)
        for (int lane = 0; lane < Lanes; ++lane)
          out[i * Lanes + lane] = batch_norm_value<Relu>(in[i * Lanes + lane], m[lane], scale[lane], b[lane]);
    }
  });
}

template <bool Relu, int Lanes, typename T>
void backward(const Layout<Lanes>& l, const T* x, const T* gy, const T* gamma, const T* beta, const double* mean,
              const double* invstd, T* gx, T* ggamma, T* gbeta) {
  const auto count = static_cast<double>(l.count());
  for_each_group(l, [&](std::int64_t group) {
    const std::int64_t c0 = group * Lanes;
    double m[Lanes], scale[Lanes], b[Lanes], sum_g[Lanes] = {}, dot[Lanes] = {};
    for (int lane = 0; lane < Lanes; ++lane) {
      m[lane] = mean[c0 + lane];
      scale[lane] = batch_norm_scale(invstd[c0 + lane], gamma[c0 + lane]);
      b[lane] = static_cast<double>(beta[c0 + lane]);
    }
    // Of g (gy where the ReLU was on) and of g (x - mean).
    for (std::int64_t n = 0; n < l.outer; ++n) {
      const T *xr = x + l.run(n, group), *gr = gy + l.run(n, group);
      add_run_sums<Lanes>(l.inner, [&](std::int64_t at, int lane) {
        const T xv = xr[at];
        const double g = batch_norm_grad_z<Relu>(gr[at], xv, m[lane], scale[lane], b[lane]);
        return SumTerms{g, g, static_cast<double>(xv) - m[lane]};
      }, sum_g, dot);
    }
    BatchNormGradCoefs k[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      const double inv = invstd[c0 + lane];
      gbeta[c0 + lane] = static_cast<T>(sum_g[lane]);
      ggamma[c0 + lane] = static_cast<T>(dot[lane] * inv);
      k[lane] = batch_norm_grad_coefs(scale[lane], inv, sum_g[lane], dot[lane], count);
    }
    for (std::int64_t n = 0; n < l.outer; ++n) {
      const std::int64_t base = l.run(n, group);
      const T *__restrict xr = x + base, *__restrict gr = gy + base;
      T* __restrict out = gx + base;
      for (std::int64_t i = 0; i < l.inner; ++i)
        for (int lane = 0; lane < Lanes; ++lane) {
          const std::int64_t at = i * Lanes + lane;
          const double g = batch_norm_grad_z<Relu>(gr[at], xr[at], m[lane], scale[lane], b[lane]);
          out[at] = batch_norm_input_grad(g, xr[at], m[lane], k[lane]);
        }
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
  with_relu(relu, [&](auto r) {
    constexpr bool kRelu = decltype(r)::value;
    if (const auto bx = cpu::channel_blocked(x)) {
      const cpu::ChannelBlocked by = cpu::write_blocked_like(y, x);
      return cpu::with_block(bx->block, [&](auto block) {
        forward<kRelu>(blocked_layout<block>(*bx), bx->data, gamma.data<float>(), beta.data<float>(), by.data,
                       mean.data<double>(), var.data<double>(), invstd.data<double>(), eps);
      });
    }
    dispatch_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      forward<kRelu>(plain_layout(x), x.data<T>(), gamma.data<T>(), beta.data<T>(), y.data<T>(), mean.data<double>(),
                     var.data<double>(), invstd.data<double>(), eps);
    });
  });
}

void CpuBackend::batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta,
                                     const Tensor& mean, const Tensor& invstd, const Tensor& gx, const Tensor& ggamma,
                                     const Tensor& gbeta, bool relu) {
  if (x.numel() == 0) return;
  with_relu(relu, [&](auto r) {
    constexpr bool kRelu = decltype(r)::value;
    const auto bx = cpu::channel_blocked(x), bg = cpu::channel_blocked(gy);
    if (bx && bg && cpu::same_layout(*bx, *bg)) {
      const cpu::ChannelBlocked out = cpu::write_blocked_like(gx, x);
      return cpu::with_block(bx->block, [&](auto block) {
        backward<kRelu>(blocked_layout<block>(*bx), bx->data, bg->data, gamma.data<float>(), beta.data<float>(),
                        mean.data<double>(), invstd.data<double>(), out.data, ggamma.data<float>(), gbeta.data<float>());
      });
    }
    dispatch_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      backward<kRelu>(plain_layout(x), x.data<T>(), gy.data<T>(), gamma.data<T>(), beta.data<T>(), mean.data<double>(),
                      invstd.data<double>(), gx.data<T>(), ggamma.data<T>(), gbeta.data<T>());
    });
  });
}

}  // namespace gg

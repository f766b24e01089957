// Evaluation-mode batch norm (+ ReLU): y = x scale + shift per channel of (outer, C, inner), one
// pass, OpenMP over the (outer, C) runs. Where a convolution left x in oneDNN's channel-blocked
// layout (kernels/cpu/blocked_layout.h), y is written in it too, so the next convolution reads it
// without a reorder: the same math on every element, so the same bits. Compiled with -ffp-contract=off (engine/CMakeLists.txt), so
// g++ keeps the product and the sum two roundings, as the composed ops (mul, add) make them.
#include <algorithm>
#include <type_traits>

#include "kernels/common/batch_norm_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

template <bool Relu, typename T>
void affine_run(const T* __restrict x, T* __restrict y, std::int64_t len, T scale, T shift) {
  for (std::int64_t i = 0; i < len; ++i) y[i] = batch_norm_inference_value<Relu>(x[i], scale, shift);
}

template <bool Relu, typename T>
void inference(const T* x, const T* scale, const T* shift, T* y, std::int64_t outer, std::int64_t c, std::int64_t inner) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, inner));
  cpu::parallel_for(outer * c, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t run = begin; run < end; ++run) {
      const std::int64_t ch = run % c;
      affine_run<Relu>(x + run * inner, y + run * inner, inner, scale[ch], shift[ch]);
    }
  });
}

// The same on (N, C / Block, HW, Block): a vector of Block scales and shifts per channel block.
template <bool Relu, int Block>
void inference_blocked(const cpu::ChannelBlocked& x, const float* scale, const float* shift, const cpu::ChannelBlocked& y) {
  const std::int64_t blocks = x.c / Block, run = x.hw * Block;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / run);
  cpu::parallel_for(x.n * blocks, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t o = begin; o < end; ++o) {
      const float* __restrict in = x.data + o * run;
      float* __restrict out = y.data + o * run;
      const float *sc = scale + (o % blocks) * Block, *sh = shift + (o % blocks) * Block;
      for (std::int64_t i = 0; i < x.hw; ++i)
        for (int l = 0; l < Block; ++l) out[i * Block + l] = batch_norm_inference_value<Relu>(in[i * Block + l], sc[l], sh[l]);
    }
  });
}

template <bool Relu>
void inference_blocked(const cpu::ChannelBlocked& x, const float* scale, const float* shift, const cpu::ChannelBlocked& y) {
  if (x.block == 16) inference_blocked<Relu, 16>(x, scale, shift, y);
  else inference_blocked<Relu, 8>(x, scale, shift, y);
}

}  // namespace

void CpuBackend::batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y,
                                      bool relu) {
  if (x.numel() == 0) return;
  if (const auto bx = cpu::channel_blocked(x)) {
    const cpu::ChannelBlocked by = cpu::write_blocked_like(y, x);
    if (relu) inference_blocked<true>(*bx, scale.data<float>(), shift.data<float>(), by);
    else inference_blocked<false>(*bx, scale.data<float>(), shift.data<float>(), by);
    return;
  }
  const std::int64_t outer = x.size(0), c = x.size(1), inner = x.numel() / (outer * c);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (relu) inference<true>(x.data<T>(), scale.data<T>(), shift.data<T>(), y.data<T>(), outer, c, inner);
    else inference<false>(x.data<T>(), scale.data<T>(), shift.data<T>(), y.data<T>(), outer, c, inner);
  });
}

}  // namespace gg

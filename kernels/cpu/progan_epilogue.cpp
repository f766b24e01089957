// The epilogue of the equalized-learning-rate conv2d / linear, y = act(scale * y + bias[c]) in one
// pass over the GEMM's output, and leaky ReLU's backward read from that output (scale folded in).
// The per-element math is kernels/common/progan_math.h, shared with the CUDA kernels. Both run in
// oneDNN's channel-blocked layout where a convolution left their operands in it
// (kernels/cpu/blocked_layout.h), so the next convolution reads them without a reorder: the same
// math on every element, so the same bits.
#include <algorithm>

#include "kernels/common/progan_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

namespace {

template <bool Leaky, typename T>
void scale_bias_activate(T* y, const T* bias, std::int64_t outer, std::int64_t c, std::int64_t inner, T scale,
                         T slope) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / (c * inner));
  cpu::parallel_for(outer, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t o = b; o < e; ++o) {
      T* block = y + o * c * inner;
      if (inner == 1) {  // a linear layer's (N, C): vectorise across the channels instead
        for (std::int64_t ch = 0; ch < c; ++ch)
          block[ch] = scale_bias_activate_value<Leaky>(block[ch], scale, bias[ch], slope);
        continue;
      }
      for (std::int64_t ch = 0; ch < c; ++ch) {
        T* row = block + ch * inner;
        const T bc = bias[ch];
        for (std::int64_t i = 0; i < inner; ++i) row[i] = scale_bias_activate_value<Leaky>(row[i], scale, bc, slope);
      }
    }
  });
}

// The same on (N, C / Block, HW, Block): the bias is a vector of Block channels per block.
template <bool Leaky, int Block>
void scale_bias_activate_blocked(const cpu::ChannelBlocked& y, const float* bias, float scale, float slope) {
  const std::int64_t blocks = y.c / Block, run = y.hw * Block;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / run);
  cpu::parallel_for(y.n * blocks, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t o = b; o < e; ++o) {
      float* p = y.data + o * run;
      const float* bb = bias + (o % blocks) * Block;
      for (std::int64_t i = 0; i < y.hw; ++i)
        for (int l = 0; l < Block; ++l) p[i * Block + l] = scale_bias_activate_value<Leaky>(p[i * Block + l], scale, bb[l], slope);
    }
  });
}

template <bool Leaky>
void scale_bias_activate_blocked(const cpu::ChannelBlocked& y, const float* bias, float scale, float slope) {
  cpu::with_block(y.block, [&](auto block) { scale_bias_activate_blocked<Leaky, block>(y, bias, scale, slope); });
}

template <typename T>
void leaky_relu_backward(const T* g, const T* y, T* gz, std::int64_t n, double slope, double scale) {
  // The two factors of the mask, scale and slope * scale, so each element costs one multiply.
  const T positive = static_cast<T>(scale), negative = static_cast<T>(slope * scale);
  cpu::parallel_for(n, cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) gz[i] = leaky_relu_grad_value(g[i], y[i], positive, negative);
  });
}

}  // namespace

void CpuProganKernels::scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky_relu,
                                           double slope) {
  if (const auto blocked = cpu::channel_blocked_to_update(y)) {
    const auto s = static_cast<float>(scale), a = static_cast<float>(slope);
    if (leaky_relu) scale_bias_activate_blocked<true>(*blocked, bias.data<float>(), s, a);
    else scale_bias_activate_blocked<false>(*blocked, bias.data<float>(), s, a);
    return;
  }
  const std::int64_t outer = y.size(0), c = y.size(1), inner = y.numel() / (outer * c);
  dispatch_dtype(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (leaky_relu)
      gg::scale_bias_activate<true>(y.data<T>(), bias.data<T>(), outer, c, inner, T(scale), T(slope));
    else
      gg::scale_bias_activate<false>(y.data<T>(), bias.data<T>(), outer, c, inner, T(scale), T(slope));
  });
}

void CpuProganKernels::leaky_relu_backward(const Tensor& g, const Tensor& y, const Tensor& gz, double slope,
                                           double scale) {
  const auto blocked_g = cpu::channel_blocked(g), blocked_y = cpu::channel_blocked(y);
  if (blocked_g && blocked_y && cpu::same_layout(*blocked_g, *blocked_y)) {
    const cpu::ChannelBlocked out = cpu::write_blocked_like(gz, g);
    return gg::leaky_relu_backward(blocked_g->data, blocked_y->data, out.data, g.numel(), slope, scale);
  }
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    gg::leaky_relu_backward(g.data<T>(), y.data<T>(), gz.data<T>(), g.numel(), slope, scale);
  });
}

}  // namespace gg

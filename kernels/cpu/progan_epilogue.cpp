// The epilogue of the equalized-learning-rate conv2d / linear, y = act(scale * y + bias[c]) in one
// pass over the GEMM's output, and leaky ReLU's backward read from that output (scale folded in).
// The per-element math is kernels/common/progan_math.h, shared with the CUDA kernels.
#include <algorithm>

#include "kernels/common/progan_math.h"
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

}  // namespace

void CpuProganKernels::scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky_relu,
                                           double slope) {
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
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pg = g.data<T>();
    const T* py = y.data<T>();
    T* out = gz.data<T>();
    // The two factors of the mask, scale and slope * scale, so each element costs one multiply.
    const T positive = static_cast<T>(scale), negative = static_cast<T>(slope * scale);
    cpu::parallel_for(g.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) out[i] = leaky_relu_grad_value(pg[i], py[i], positive, negative);
    });
  });
}

}  // namespace gg

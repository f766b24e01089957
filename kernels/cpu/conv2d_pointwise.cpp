// Direct channel mixing for 1x1 convolutions with few channels on one side (conv2d_pointwise.h).
// Each output element sums its input channels in order, the first a product and every next one
// an fma, so the result does not depend on the thread count or the tiling.
#include "kernels/cpu/conv2d_pointwise.h"

#include <algorithm>

#include "kernels/common/fma_rn.h"
#include "kernels/cpu/parallel.h"

namespace gg::cpu::pointwise_conv {

namespace {

// Pixels per task: a tile of every input channel stays in L2 while each output row of it is made.
constexpr std::int64_t kTile = 512;

// out (N, O, HW)[n, o, p] = sum over i of W(o, i) in (N, I, HW)[n, i, p], with
// W(o, i) = w[o * o_stride + i * i_stride].
template <typename T>
void mix_channels(const T* in, std::int64_t in_channels, const T* w, std::int64_t o_stride, std::int64_t i_stride,
                  T* out, std::int64_t out_channels, std::int64_t n, std::int64_t hw) {
  const std::int64_t tiles = (hw + kTile - 1) / kTile;
  const std::int64_t grain = std::max<std::int64_t>(1, kElementwiseGrain / (kTile * out_channels * in_channels));
  parallel_for(n * tiles, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t task = b; task < e; ++task) {
      const std::int64_t image = task / tiles, p0 = (task % tiles) * kTile, len = std::min(kTile, hw - p0);
      const T* src = in + image * in_channels * hw + p0;
      T* dst = out + image * out_channels * hw + p0;
      // Every output element gets W(o, 0) x_0, then + W(o, i) x_i for i = 1, 2, ... in order; the
      // loops only choose which side's rows stay in L1: the outputs' when they are few, so every
      // input row is read once, else each output row's while its sum is made.
      auto add_channel = [&](std::int64_t o, std::int64_t i) {
        T* row = dst + o * hw;
        const T wi = w[o * o_stride + i * i_stride];
        const T* x = src + i * hw;
        if (i == 0) {
          for (std::int64_t p = 0; p < len; ++p) row[p] = wi * x[p];
        } else {
          for (std::int64_t p = 0; p < len; ++p) row[p] = fma_rn(wi, x[p], row[p]);
        }
      };
      if (out_channels <= in_channels) {
        for (std::int64_t i = 0; i < in_channels; ++i)
          for (std::int64_t o = 0; o < out_channels; ++o) add_channel(o, i);
      } else {
        for (std::int64_t o = 0; o < out_channels; ++o)
          for (std::int64_t i = 0; i < in_channels; ++i) add_channel(o, i);
      }
    }
  });
}

}  // namespace

bool supports(const ConvGeometry& g) { return g.pointwise(); }

void forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) {
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    mix_channels(x.data<T>(), g.c, w.data<T>(), g.c, 1, y.data<T>(), g.k, g.n, g.h * g.w);
  });
}

void backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) {
  dispatch_dtype(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    mix_channels(gy.data<T>(), g.k, w.data<T>(), 1, g.c, gx.data<T>(), g.c, g.n, g.h * g.w);
  });
}

}  // namespace gg::cpu::pointwise_conv

// Evaluation-mode batch norm (+ ReLU): y = x scale + shift per channel of (outer, C, inner), one
// pass, OpenMP over the (outer, C) runs. Where a convolution left x in oneDNN's channel-blocked
// layout (kernels/cpu/blocked_layout.h), y is written in it too, so the next convolution reads it
// without a reorder; one body serves both layouts, so the same bits. Compiled with
// -ffp-contract=off (engine/CMakeLists.txt), so g++ keeps the product and the sum two roundings,
// as the composed ops (mul, add) make them.
#include <algorithm>

#include "kernels/common/batch_norm_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

// On NCHW (Block 1) or (N, C / Block, HW, Block), `planes` planes of Block channels, one per task
// run: a vector of Block scales and shifts per plane.
template <bool Relu, int Block, typename T>
void inference(const T* x, const T* scale, const T* shift, T* y, std::int64_t n, std::int64_t c, std::int64_t hw) {
  const std::int64_t planes = c / Block, run = hw * Block;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, run));
  cpu::parallel_for(n * planes, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t o = begin; o < end; ++o) {
      const T* __restrict in = x + o * run;
      T* __restrict out = y + o * run;
      const T *sc = scale + (o % planes) * Block, *sh = shift + (o % planes) * Block;
      for (std::int64_t i = 0; i < hw; ++i)
        for (int l = 0; l < Block; ++l) out[i * Block + l] = batch_norm_inference_value<Relu>(in[i * Block + l], sc[l], sh[l]);
    }
  });
}

template <bool Relu>
void inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y) {
  const std::int64_t n = x.size(0), c = x.size(1), hw = x.numel() / (n * c);
  if (const auto bx = cpu::channel_blocked(x)) {
    const cpu::ChannelBlocked by = cpu::write_blocked_like(y, x);
    return cpu::with_block(bx->block, [&](auto block) {
      inference<Relu, block>(bx->data, scale.data<float>(), shift.data<float>(), by.data, n, c, hw);
    });
  }
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    inference<Relu, 1>(x.data<T>(), scale.data<T>(), shift.data<T>(), y.data<T>(), n, c, hw);
  });
}

}  // namespace

void CpuBackend::batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y,
                                      bool relu) {
  if (x.numel() == 0) return;
  if (relu) inference<true>(x, scale, shift, y);
  else inference<false>(x, scale, shift, y);
}

}  // namespace gg

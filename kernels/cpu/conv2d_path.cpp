// Which CPU convolution path runs a given f32 geometry (f64 always takes im2col), from
// bench_conv2d on the 2-core development machine (README, Performance):
//
// - oneDNN in its blocked layouts wins every 3x3 and 4x4 shape of ProGAN, in every pass, by 1.2-1.6x
//   over im2col even with the reorders in and out counted; its direct kernels run at the FMA peak.
//   On NCHW as it is, oneDNN falls back to GEMM-based kernels that are slower still for the weight
//   gradient of large maps (up to 2x slower than im2col).
// - The 1x1 toRGB / fromRGB layers with 3 channels: oneDNN's NCHW path beat im2col on an idle
//   machine (0.2-0.4 ms against 0.6-0.9 ms standalone), but its many small parallel regions made
//   it up to 100x slower while other processes shared the cores. Inside a training step, with
//   cold caches, im2col's GEMMs with a dimension of 3 ran at 2-9 GFLOP/s (4 % of a 64x64
//   iteration); the pointwise path's direct loops, one parallel region a call, take them.
#include "kernels/cpu/conv2d.h"

namespace gg::cpu {

ConvPath conv2d_path(const ConvGeometry& g, ConvPass, DType dtype) {
  if (!conv2d_path_supports(ConvPath::kDnnlBlocked, g, dtype)) return ConvPath::kIm2col;
  const bool pointwise = g.r == 1 && g.s == 1;
  if (pointwise && (g.c < 16 || g.k < 16))
    return conv2d_path_supports(ConvPath::kPointwise, g, dtype) ? ConvPath::kPointwise : ConvPath::kIm2col;
  return ConvPath::kDnnlBlocked;
}

}  // namespace gg::cpu

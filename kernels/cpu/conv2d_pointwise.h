#pragma once
// The pointwise path of the CPU convolution (kernels/cpu/conv2d.h, ConvPath::kPointwise): 1x1,
// stride 1, no padding, where one side has few channels (ProGAN's toRGB and fromRGB). There a
// convolution is a channel mix per pixel, y[n, k, p] = sum over c of w[k, c] x[n, c, p], and a GEMM
// with a dimension of 3 spends its time packing (OpenBLAS ran these at 2-9 GFLOP/s); direct loops
// over rows of pixels stream the bytes instead. The weight gradient, a reduction over N x H x W
// for each (k, c), stays a GEMM, which does such reductions well.
#include "engine/tensor.h"
#include "kernels/common/conv_geometry.h"

namespace gg::cpu::pointwise_conv {

bool supports(const ConvGeometry& g);

// y (N, K, H, W) = the channel mix of x (N, C, H, W) by w (K, C, 1, 1); f32 or f64.
void forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g);
// gx (N, C, H, W) = the mix of gy (N, K, H, W) by w transposed.
void backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g);

}  // namespace gg::cpu::pointwise_conv

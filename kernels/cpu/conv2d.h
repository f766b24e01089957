#pragma once
// The CPU convolution's implementations and the choice between them. CpuBackend's conv2d entries
// take conv2d_path() for each call; the benchmarks and tests name a path to compare them.
//
//   kIm2col       im2col + OpenBLAS GEMM (conv2d.cpp): f32 and f64, every geometry; the reference
//   kDnnlPlain    oneDNN on NCHW / OIHW as they are (its GEMM-based kernels for most shapes); the
//                 backend takes it nowhere (conv2d_path.cpp says why), bench_conv2d measures it
//   kDnnlBlocked  oneDNN in the layouts it prefers (channel blocks of 16), reordering the operands
//                 in and the result out around its direct (JIT) convolution
//   kPointwise    1x1 stride 1 unpadded only: direct channel mixing for the forward pass and the
//                 input gradient, the im2col path's GEMM for the weight gradient (conv2d_pointwise.h)
#include "engine/tensor.h"
#include "kernels/common/conv_geometry.h"

namespace gg::cpu {

enum class ConvPath { kIm2col, kDnnlPlain, kDnnlBlocked, kPointwise };
enum class ConvPass { kForward, kBackwardInput, kBackwardWeight };

const char* conv_path_name(ConvPath path);

// Whether `path` can run this geometry in this dtype (oneDNN: f32 only; pointwise: 1x1 only).
bool conv2d_path_supports(ConvPath path, const ConvGeometry& g, DType dtype);

// The path CpuBackend takes, from measurements on the ProGAN shapes (see conv2d_path.cpp).
ConvPath conv2d_path(const ConvGeometry& g, ConvPass pass, DType dtype);

// y (N, K, P, Q) = conv(x (N, C, H, W), w (K, C, R, S)).
void conv2d_forward(ConvPath path, const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g);
// gx (N, C, H, W) = the input gradient from gy (N, K, P, Q); overwritten.
void conv2d_backward_input(ConvPath path, const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g);
// gw (K, C, R, S) = the weight gradient summed over the batch; overwritten.
void conv2d_backward_weight(ConvPath path, const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g);

}  // namespace gg::cpu

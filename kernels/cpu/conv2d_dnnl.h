#pragma once
// f32 convolutions through oneDNN (Debian's libdnnl, the OpenMP build: it runs on the same OpenMP
// thread pool as OpenBLAS and our own loops). Operands are NCHW / OIHW tensors; on the blocked
// path they may live in oneDNN's layouts as storage twins between calls (kernels/cpu/dnnl_twin.h).
//
// Primitives are built once per geometry, pass, layout and thread count and kept in a small
// thread-safe cache. Results are bit-identical from run to run for a fixed thread count
// (OMP_NUM_THREADS) on the same CPU: oneDNN's CPU convolutions use no atomics, but how they split
// the weight gradient's sum over the batch depends on the number of threads (64->64 channels at
// 64x64 gives other bits on 1 thread than on 2), and which kernels they JIT on the instruction set.
#include "engine/tensor.h"
#include "kernels/common/conv_geometry.h"

namespace gg::cpu::dnnl_conv {

// Whether oneDNN can take this geometry: its right padding, (P-1)*stride + R - H - pad, must not
// be negative (a stride that skips the last rows is left to im2col).
bool supports(const ConvGeometry& g);

// blocked: run oneDNN's direct convolution on its preferred layouts (twins, reordered where need
// be); else on the plain layouts. All f32.
void forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g, bool blocked);
void backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g, bool blocked);
void backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g, bool blocked);

}  // namespace gg::cpu::dnnl_conv

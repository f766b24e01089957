#pragma once
// The shape arithmetic of a 2-D convolution, shared by every backend.
#include <cstdint>

#include "kernels/common/host_device.h"

namespace gg {

struct ConvGeometry {
  std::int64_t n, c, h, w;  // input (N, C, H, W)
  std::int64_t k, r, s;     // weight (K, C, R, S)
  std::int64_t p, q;        // output (N, K, P, Q)
  int stride, pad;

  GG_HD std::int64_t gemm_k() const { return c * r * s; }  // reduction length per output
  GG_HD std::int64_t out_pixels() const { return p * q; }
  // Multiply-adds of the forward pass (each backward pass does as many).
  GG_HD double flops() const { return 2.0 * n * k * p * q * c * r * s; }
  // 1x1, stride 1, unpadded: each output pixel mixes the channels of its own input pixel.
  GG_HD bool pointwise() const { return r == 1 && s == 1 && stride == 1 && pad == 0; }
};

inline ConvGeometry make_conv_geometry(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w,
                                       std::int64_t k, std::int64_t r, std::int64_t s, int stride,
                                       int pad) {
  ConvGeometry g{n, c, h, w, k, r, s, 0, 0, stride, pad};
  g.p = (h + 2 * pad - r) / stride + 1;
  g.q = (w + 2 * pad - s) / stride + 1;
  return g;
}

}  // namespace gg

// conv2d on the CPU: the im2col + GEMM (OpenBLAS) path for the forward pass and both backward
// passes, the entry points that run a named path (conv2d.h), and CpuBackend's entries, which take
// the path conv2d_path() picks (oneDNN for f32 where it is faster, conv2d_dnnl.cpp).
//
// Images are processed in chunks of `nb`: im2col lays a chunk out as a (C*R*S, nb*P*Q) matrix, so
// one GEMM covers the chunk. Small feature maps (ProGAN's 4x4 to 16x16) need several images per
// GEMM to give OpenBLAS a matrix wide enough to reach its peak; large ones go one image at a time
// and write straight into the output.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/cpu/blas.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/conv2d_dnnl.h"
#include "kernels/cpu/conv2d_pointwise.h"
#include "kernels/cpu/conv2d_scratch.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

constexpr std::int64_t kTargetColumns = 2048;        // GEMM width that keeps OpenBLAS near peak
constexpr std::int64_t kMaxColumnBytes = 64 << 20;   // cap on the im2col buffer

std::int64_t images_per_chunk(const ConvGeometry& g, std::size_t elem) {
  const std::int64_t pq = g.out_pixels();
  std::int64_t nb = std::max<std::int64_t>(1, (kTargetColumns + pq - 1) / pq);
  const std::int64_t by_memory = kMaxColumnBytes / std::max<std::int64_t>(1, g.gemm_k() * pq * static_cast<std::int64_t>(elem));
  return std::clamp<std::int64_t>(std::min(nb, by_memory), 1, g.n);
}

// Output columns [q0, q1) whose input column q*stride - pad + s lies inside the image.
std::pair<std::int64_t, std::int64_t> valid_columns(const ConvGeometry& g, std::int64_t s) {
  const std::int64_t lo = g.pad - s;  // q * stride >= lo
  const std::int64_t hi = g.w + g.pad - s;  // q * stride < hi
  const std::int64_t q0 = lo <= 0 ? 0 : (lo + g.stride - 1) / g.stride;
  const std::int64_t q1 = hi <= 0 ? 0 : std::min<std::int64_t>(g.q, (hi + g.stride - 1) / g.stride);
  return {std::min(q0, q1), q1};
}

// col ((c, r, s), (n, p, q)) = x[n0 + n, c, p*stride - pad + r, q*stride - pad + s], or 0 outside.
template <typename T>
void im2col(const T* x, const ConvGeometry& g, std::int64_t nb, T* col) {
  const std::int64_t pq = g.out_pixels(), cols = nb * pq, hw = g.h * g.w;
  cpu::parallel_for(g.gemm_k(), 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t row = b; row < e; ++row) {
      const std::int64_t c = row / (g.r * g.s), r = (row / g.s) % g.r, s = row % g.s;
      T* out = col + row * cols;
      for (std::int64_t n = 0; n < nb; ++n) {
        const T* plane = x + (n * g.c + c) * hw;
        for (std::int64_t p = 0; p < g.p; ++p) {
          T* dst = out + n * pq + p * g.q;
          const std::int64_t ih = p * g.stride - g.pad + r;
          if (ih < 0 || ih >= g.h) {
            std::fill(dst, dst + g.q, T(0));
            continue;
          }
          const T* src = plane + ih * g.w;
          const auto [q0, q1] = valid_columns(g, s);
          std::fill(dst, dst + q0, T(0));
          if (g.stride == 1) {
            std::copy(src + q0 - g.pad + s, src + q1 - g.pad + s, dst + q0);
          } else {
            for (std::int64_t q = q0; q < q1; ++q) dst[q] = src[q * g.stride - g.pad + s];
          }
          std::fill(dst + q1, dst + g.q, T(0));
        }
      }
    }
  });
}

// The adjoint of im2col: gx[n, c, ih, iw] += col[...]. Each thread owns whole channels.
template <typename T>
void col2im(const T* col, const ConvGeometry& g, std::int64_t nb, T* gx) {
  const std::int64_t pq = g.out_pixels(), cols = nb * pq, hw = g.h * g.w;
  cpu::parallel_for(g.c, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t c = b; c < e; ++c)
      for (std::int64_t r = 0; r < g.r; ++r)
        for (std::int64_t s = 0; s < g.s; ++s) {
          const T* in = col + ((c * g.r + r) * g.s + s) * cols;
          for (std::int64_t n = 0; n < nb; ++n) {
            T* plane = gx + (n * g.c + c) * hw;
            for (std::int64_t p = 0; p < g.p; ++p) {
              const std::int64_t ih = p * g.stride - g.pad + r;
              if (ih < 0 || ih >= g.h) continue;
              const T* src = in + n * pq + p * g.q;
              T* dst = plane + ih * g.w;
              const auto [q0, q1] = valid_columns(g, s);
              T* base = dst - g.pad + s;  // base[q * stride] is the input pixel of output column q
              if (g.stride == 1) {
                for (std::int64_t q = q0; q < q1; ++q) base[q] += src[q];
              } else {
                for (std::int64_t q = q0; q < q1; ++q) base[q * g.stride] += src[q];
              }
            }
          }
        }
  });
}

// (nb, K, PQ) <-> (K, nb * PQ): the layout GEMM produces versus NCHW.
template <typename T>
void images_to_columns(const T* y, const ConvGeometry& g, std::int64_t nb, T* cols) {
  const std::int64_t pq = g.out_pixels();
  cpu::parallel_for(g.k, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t k = b; k < e; ++k)
      for (std::int64_t n = 0; n < nb; ++n) std::memcpy(cols + (k * nb + n) * pq, y + (n * g.k + k) * pq, sizeof(T) * static_cast<std::size_t>(pq));
  });
}

template <typename T>
void columns_to_images(const T* cols, const ConvGeometry& g, std::int64_t nb, T* y) {
  const std::int64_t pq = g.out_pixels();
  cpu::parallel_for(g.k, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t k = b; k < e; ++k)
      for (std::int64_t n = 0; n < nb; ++n) std::memcpy(y + (n * g.k + k) * pq, cols + (k * nb + n) * pq, sizeof(T) * static_cast<std::size_t>(pq));
  });
}

// The columns of a chunk: x itself for a pointwise conv of one image, else im2col into scratch.
template <typename T>
const T* chunk_columns(const T* x, const ConvGeometry& g, std::int64_t nb) {
  if (nb == 1 && g.pointwise()) return x;
  T* col = cpu::conv_scratch_array<T>(0, static_cast<std::size_t>(g.gemm_k() * nb * g.out_pixels()));
  im2col(x, g, nb, col);
  return col;
}

// The output gradient of a chunk as (K, nb * PQ): gy itself for one image, else gathered into scratch.
template <typename T>
const T* chunk_output_grad(const T* gy, const ConvGeometry& g, std::int64_t nb) {
  if (nb == 1) return gy;
  T* gathered = cpu::conv_scratch_array<T>(1, static_cast<std::size_t>(g.k * nb * g.out_pixels()));
  images_to_columns(gy, g, nb, gathered);
  return gathered;
}

template <typename T>
void forward(const T* x, const T* w, T* y, const ConvGeometry& g) {
  const std::int64_t nb_max = images_per_chunk(g, sizeof(T)), pq = g.out_pixels(), crs = g.gemm_k();
  for (std::int64_t n0 = 0; n0 < g.n; n0 += nb_max) {
    const std::int64_t nb = std::min(nb_max, g.n - n0), cols = nb * pq;
    const T* col = chunk_columns(x + n0 * g.c * g.h * g.w, g, nb);
    T* dst = nb == 1 ? y + n0 * g.k * pq : cpu::conv_scratch_array<T>(1, static_cast<std::size_t>(g.k * cols));
    cpu::gemm(false, false, g.k, cols, crs, T(1), w, crs, col, cols, T(0), dst, cols);
    if (nb > 1) columns_to_images(dst, g, nb, y + n0 * g.k * pq);
  }
}

template <typename T>
void backward_input(const T* gy, const T* w, T* gx, const ConvGeometry& g) {
  const std::int64_t nb_max = images_per_chunk(g, sizeof(T)), pq = g.out_pixels(), crs = g.gemm_k();
  const std::int64_t image = g.c * g.h * g.w;
  for (std::int64_t n0 = 0; n0 < g.n; n0 += nb_max) {
    const std::int64_t nb = std::min(nb_max, g.n - n0), cols = nb * pq;
    const T* gyc = chunk_output_grad(gy + n0 * g.k * pq, g, nb);
    T* gx_chunk = gx + n0 * image;
    if (nb == 1 && g.pointwise()) {
      cpu::gemm(true, false, crs, cols, g.k, T(1), w, crs, gyc, cols, T(0), gx_chunk, cols);
      continue;
    }
    T* gcol = cpu::conv_scratch_array<T>(0, static_cast<std::size_t>(crs * cols));
    cpu::gemm(true, false, crs, cols, g.k, T(1), w, crs, gyc, cols, T(0), gcol, cols);
    std::fill(gx_chunk, gx_chunk + nb * image, T(0));
    col2im(gcol, g, nb, gx_chunk);
  }
}

template <typename T>
void backward_weight(const T* x, const T* gy, T* gw, const ConvGeometry& g) {
  const std::int64_t nb_max = images_per_chunk(g, sizeof(T)), pq = g.out_pixels(), crs = g.gemm_k();
  for (std::int64_t n0 = 0; n0 < g.n; n0 += nb_max) {
    const std::int64_t nb = std::min(nb_max, g.n - n0), cols = nb * pq;
    const T* col = chunk_columns(x + n0 * g.c * g.h * g.w, g, nb);
    const T* gyc = chunk_output_grad(gy + n0 * g.k * pq, g, nb);
    cpu::gemm(false, true, g.k, crs, cols, T(1), gyc, cols, col, cols, n0 == 0 ? T(0) : T(1), gw, crs);
  }
}

}  // namespace

namespace cpu {

const char* conv_path_name(ConvPath path) {
  switch (path) {
    case ConvPath::kIm2col: return "im2col";
    case ConvPath::kDnnlPlain: return "dnnl_plain";
    case ConvPath::kDnnlBlocked: return "dnnl_blocked";
    case ConvPath::kPointwise: return "pointwise";
  }
  return "?";
}

bool conv2d_path_supports(ConvPath path, const ConvGeometry& g, DType dtype) {
  switch (path) {
    case ConvPath::kIm2col: return true;
    case ConvPath::kPointwise: return pointwise_conv::supports(g);
    case ConvPath::kDnnlPlain:
    case ConvPath::kDnnlBlocked: return dtype == DType::f32 && dnnl_conv::supports(g);
  }
  return false;
}

namespace {

void check_path(const char* op, ConvPath path, const ConvGeometry& g, DType dtype) {
  if (!conv2d_path_supports(path, g, dtype))
    throw std::invalid_argument(std::string(op) + ": the " + conv_path_name(path) + " path cannot run a " +
                                dtype_name(dtype) + " convolution with this geometry");
}

}  // namespace

void conv2d_forward(ConvPath path, const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) {
  check_path("conv2d_forward", path, g, x.dtype());
  if (path == ConvPath::kPointwise) return pointwise_conv::forward(x, w, y, g);
  if (path != ConvPath::kIm2col)
    return dnnl_conv::forward(x, w, y, g, path == ConvPath::kDnnlBlocked);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward(x.data<T>(), w.data<T>(), y.data<T>(), g);
  });
}

void conv2d_backward_input(ConvPath path, const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) {
  check_path("conv2d_backward_input", path, g, gy.dtype());
  if (path == ConvPath::kPointwise) return pointwise_conv::backward_input(gy, w, gx, g);
  if (path != ConvPath::kIm2col)
    return dnnl_conv::backward_input(gy, w, gx, g, path == ConvPath::kDnnlBlocked);
  dispatch_dtype(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward_input(gy.data<T>(), w.data<T>(), gx.data<T>(), g);
  });
}

void conv2d_backward_weight(ConvPath path, const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g) {
  check_path("conv2d_backward_weight", path, g, x.dtype());
  if (path != ConvPath::kIm2col && path != ConvPath::kPointwise)
    return dnnl_conv::backward_weight(x, gy, gw, g, path == ConvPath::kDnnlBlocked);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward_weight(x.data<T>(), gy.data<T>(), gw.data<T>(), g);
  });
}

}  // namespace cpu

void CpuBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) {
  cpu::conv2d_forward(cpu::conv2d_path(g, cpu::ConvPass::kForward, x.dtype()), x, w, y, g);
}

void CpuBackend::conv2d_backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) {
  cpu::conv2d_backward_input(cpu::conv2d_path(g, cpu::ConvPass::kBackwardInput, gy.dtype()), gy, w, gx, g);
}

void CpuBackend::conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g) {
  cpu::conv2d_backward_weight(cpu::conv2d_path(g, cpu::ConvPass::kBackwardWeight, x.dtype()), x, gy, gw, g);
}

}  // namespace gg

#pragma once
// The backend table: one implementation of every kernel per device. Ops in engine/ do shapes,
// allocation and autograd; they reach memory only through these calls. The CPU table lives in
// kernels/cpu/, the CUDA one in kernels/cuda/.
#include <cstddef>
#include <cstdint>

#include "engine/tensor.h"
#include "kernels/common/conv_geometry.h"
#include "kernels/common/op_kinds.h"
#include "kernels/common/optim_math.h"

namespace gg {

class Backend {
 public:
  virtual ~Backend() = default;

  // Memory.
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void deallocate(void* ptr, std::size_t bytes) = 0;
  virtual void copy_from_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const void* src, std::size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, std::size_t bytes) = 0;

  // Elementwise. `out` is allocated by the caller with the broadcast shape.
  virtual void fill(const Tensor& t, double value) = 0;
  virtual void convert(const Tensor& src, const Tensor& dst) = 0;  // dtype change, same shape
  virtual void unary(UnaryOp op, const Tensor& x, const Tensor& y, double alpha) = 0;
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) = 0;
  // out = x stretched to out's shape (x's rank equal to out's, size-1 dims broadcast).
  virtual void expand(const Tensor& x, const Tensor& out) = 0;
  // out (same rank as x, size 1 where summed) = sum of x over those dims, in a fixed order.
  virtual void sum_reduce(const Tensor& x, const Tensor& out) = 0;
  // rows x row_len elements: dst[r * dst_stride + dst_offset + i] = src[r * src_stride + src_offset + i].
  virtual void copy_rows(const Tensor& src, std::int64_t src_stride, std::int64_t src_offset,
                         const Tensor& dst, std::int64_t dst_stride, std::int64_t dst_offset,
                         std::int64_t rows, std::int64_t row_len) = 0;

  // Dense algebra, row-major: C = alpha op(A) op(B) + beta C with op(A) (M, K), op(B) (K, N).
  virtual void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                    double alpha, const Tensor& a, const Tensor& b, double beta, const Tensor& c) = 0;
  virtual void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) = 0;
  virtual void conv2d_backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx,
                                     const ConvGeometry& g) = 0;
  virtual void conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw,
                                      const ConvGeometry& g) = 0;

  // Resampling on NCHW.
  virtual void upsample_nearest2x(const Tensor& x, const Tensor& y) = 0;
  virtual void avg_pool2x2(const Tensor& x, const Tensor& y) = 0;
  // y = max over each 2x2 window; mask (shape of x) = 1 at the first maximum of each window, or
  // undefined when no backward will need it (nothing written).
  virtual void max_pool2x2(const Tensor& x, const Tensor& y, const Tensor& mask) = 0;
  // Its backward: gx (shape of mask) = g (N, C, H/2, W/2) upsampled, times the mask; the product's
  // bits are those of mul(upsample_nearest2x(g), mask).
  virtual void max_pool2x2_backward(const Tensor& g, const Tensor& mask, const Tensor& gx) = 0;

  // Rows of (N, C).
  virtual void log_softmax(const Tensor& x, const Tensor& y) = 0;

  // Training-mode batch norm of x and y (outer, C, inner); gamma, beta (C) in x's dtype; mean, var
  // and invstd (C) in f64. The math is kernels/common/batch_norm_math.h. Each channel's mean and
  // biased variance over its outer * inner values (summed in double) go to mean, var and
  // invstd = 1 / sqrt(var + eps); y = (x - mean) invstd gamma + beta, then max(y, 0) with relu.
  virtual void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y,
                                  const Tensor& mean, const Tensor& var, const Tensor& invstd, double eps,
                                  bool relu) = 0;
  // Evaluation-mode batch norm of x and y (outer, C, inner) with the running statistics folded into
  // scale and shift (C, x's dtype): y = x scale + shift (then max(y, 0) with relu), rounded as the
  // composed ops round (kernels/common/batch_norm_math.h).
  virtual void batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y,
                                    bool relu) = 0;
  // Training mode's gradients (in x's dtype) from the forward's mean and invstd, with g = gy where
  // the ReLU (if any) was on and xhat = (x - mean) invstd: gbeta = sum g, ggamma = sum g xhat,
  // gx = gamma invstd (g - mean(g) - xhat mean(g xhat)).
  virtual void batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta,
                                   const Tensor& mean, const Tensor& invstd, const Tensor& gx, const Tensor& ggamma,
                                   const Tensor& gbeta, bool relu) = 0;

  // Random fills from the Philox stream (seed, offset); see kernels/common/philox.h.
  virtual void random_uniform(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double lo,
                              double hi) = 0;
  virtual void random_normal(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double mean,
                             double stddev) = 0;
  // t = (uniform >= p) / (1 - p): the dropout mask with its scale folded in.
  virtual void dropout_mask(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double p) = 0;

  // Fused optimizer updates over one parameter tensor.
  virtual void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf,
                        const SgdHyper& h) = 0;
  virtual void adam_step(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                         const AdamHyper& h) = 0;
};

// The table for a device; throws a clear error for a device this build or machine lacks.
Backend& backend_for(Device device);
Backend& cpu_backend();

}  // namespace gg

#pragma once
// The CPU backend: OpenMP loops for elementwise work, OpenBLAS for GEMM and convolutions.
// Each group of kernels lives in its own file in this folder.
#include "engine/backend.h"
#include "kernels/common/caching_allocator.h"

namespace gg {

// The CPU's cache of large buffers (kernels/cpu/memory.cpp): its limit in bytes (GG_CPU_CACHE_MB;
// 0 when off, as in AddressSanitizer builds) and its counters.
std::size_t cpu_memory_cache_limit();
MemoryStats cpu_memory_stats();

class CpuBackend final : public Backend {
 public:
  void* allocate(std::size_t bytes) override;
  void deallocate(void* ptr, std::size_t bytes) override;
  void copy_from_host(void* dst, const void* src, std::size_t bytes) override;
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override;
  void copy(void* dst, const void* src, std::size_t bytes) override;

  void fill(const Tensor& t, double value) override;
  void convert(const Tensor& src, const Tensor& dst) override;
  void unary(UnaryOp op, const Tensor& x, const Tensor& y, double alpha) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override;
  void expand(const Tensor& x, const Tensor& out) override;
  void sum_reduce(const Tensor& x, const Tensor& out) override;
  void copy_rows(const Tensor& src, std::int64_t src_stride, std::int64_t src_offset, const Tensor& dst,
                 std::int64_t dst_stride, std::int64_t dst_offset, std::int64_t rows, std::int64_t row_len) override;

  void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, double alpha,
            const Tensor& a, const Tensor& b, double beta, const Tensor& c) override;
  void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) override;
  void conv2d_backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) override;
  void conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g) override;

  void upsample_nearest2x(const Tensor& x, const Tensor& y) override;
  void avg_pool2x2(const Tensor& x, const Tensor& y) override;
  void max_pool2x2(const Tensor& x, const Tensor& y, const Tensor& mask) override;
  void max_pool2x2_backward(const Tensor& g, const Tensor& mask, const Tensor& gx) override;
  void log_softmax(const Tensor& x, const Tensor& y) override;
  void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y, const Tensor& mean,
                          const Tensor& var, const Tensor& invstd, double eps, bool relu) override;
  void batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y, bool relu) override;
  void batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                           const Tensor& invstd, const Tensor& gx, const Tensor& ggamma, const Tensor& gbeta,
                           bool relu) override;

  void random_uniform(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double lo, double hi) override;
  void random_normal(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double mean, double stddev) override;
  void dropout_mask(const Tensor& t, std::uint64_t seed, std::uint64_t offset, double p) override;

  void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdHyper& h) override;
  void adam_step(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                 const AdamHyper& h) override;
};

}  // namespace gg

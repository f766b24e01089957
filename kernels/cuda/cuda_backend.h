#pragma once
// The CUDA backend: one instance per device, each with one stream that every kernel, copy and
// library call is queued on (so work runs in order and temporaries can be reused at once), a
// cuBLAS and a cuDNN handle bound to that stream, a caching allocator and a cuDNN workspace.
// Each group of kernels lives in its own .cu file in this folder.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <mutex>

#include "engine/backend.h"
#include "kernels/common/caching_allocator.h"
#include "kernels/cuda/conv_algo_cache.h"
#include "kernels/cuda/cuda_check.h"

namespace gg {

class CudaBackend final : public Backend {
 public:
  // Backends live as long as the process (see cuda_backend.cu), so there is no teardown.
  explicit CudaBackend(int device);
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  int device() const { return device_; }
  cudaStream_t stream() const { return stream_; }
  MemoryStats memory_stats() const { return allocator_.stats(); }
  void release_cached_memory() { allocator_.release_cached(); }
  void synchronize();

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

 private:
  // Device scratch for one call (reduction partials), back to the cache when it goes out of scope:
  // safe at once, since the kernels that use it are queued on the same stream as any later owner.
  class Scratch {
   public:
    Scratch(CudaBackend& backend, std::size_t bytes) : backend_(backend), data_(backend.allocate(bytes)) {}
    ~Scratch() { backend_.deallocate(data_, 0); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    template <typename T> T* as() const { return static_cast<T*>(data_); }

   private:
    CudaBackend& backend_;
    void* data_;
  };

  // Makes sure the cuDNN workspace holds at least `bytes`; it only ever grows. False when the
  // device cannot provide it, so the caller can fall back to an algorithm that needs less.
  bool ensure_workspace(std::size_t bytes);
  // Runs a cuBLAS or cuDNN call; when the library could not allocate memory of its own, the
  // allocator's cache goes back to the device and the call runs once more. Returns its status.
  template <typename Call>
  auto with_memory_retry(Call&& call) {
    return retry_after_release(allocator_, call, [](auto status) { return cuda::is_out_of_memory(status); });
  }
  // Runs one convolution pass (conv2d.cu).
  void convolution(cuda::ConvPass pass, const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g);

  int device_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  CachingAllocator allocator_;
  cuda::ConvAlgoCache conv_algorithms_;
  std::mutex workspace_mutex_;  // the workspace is shared by every convolution on this device
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 0;
  void* cublas_workspace_ = nullptr;
};

// Selects the backend's device for the calling thread for the lifetime of the scope (restoring
// the previous one after) and, given a name, marks the work for profilers with an NVTX range.
class DeviceScope {
 public:
  DeviceScope(int device, const char* range_name);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
  bool switched_ = false;
  bool ranged_ = false;
};

}  // namespace gg

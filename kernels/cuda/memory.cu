// Allocation and copies on the device. Host copies wait for the stream: the Backend interface
// promises that the host buffer may be read (or reused) as soon as the call returns.
#include "kernels/common/memory_poison.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"

namespace gg {

void* CudaBackend::allocate(std::size_t bytes) {
  const DeviceScope scope(device_, nullptr);
  void* p = allocator_.allocate(bytes, stream_);
  if (memory_poisoning()) GG_CUDA_CHECK(cudaMemsetAsync(p, kPoisonByte, bytes, stream_));  // NaNs (test mode)
  return p;
}

void CudaBackend::deallocate(void* ptr, std::size_t) { allocator_.deallocate(ptr); }

void CudaBackend::copy_from_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  const DeviceScope scope(device_, "copy_from_host");
  GG_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream_));
  GG_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::copy_to_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  const DeviceScope scope(device_, "copy_to_host");
  GG_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream_));
  GG_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::copy(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0 || dst == src) return;
  const DeviceScope scope(device_, "copy");
  GG_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_));
}

void CudaBackend::copy_rows(const Tensor& src, std::int64_t src_stride, std::int64_t src_offset, const Tensor& dst,
                            std::int64_t dst_stride, std::int64_t dst_offset, std::int64_t rows,
                            std::int64_t row_len) {
  if (rows <= 0 || row_len <= 0) return;
  const DeviceScope scope(device_, "copy_rows");
  const auto elem = static_cast<std::int64_t>(dtype_size(src.dtype()));
  const char* s = static_cast<const char*>(src.raw_data()) + src_offset * elem;
  char* d = static_cast<char*>(dst.raw_data()) + dst_offset * elem;
  const auto width = static_cast<std::size_t>(row_len * elem);
  if (rows == 1) {
    GG_CUDA_CHECK(cudaMemcpyAsync(d, s, width, cudaMemcpyDeviceToDevice, stream_));
    return;
  }
  // A strided copy is exactly a 2-D copy: `rows` rows of `width` bytes, each pitch apart.
  GG_CUDA_CHECK(cudaMemcpy2DAsync(d, static_cast<std::size_t>(dst_stride * elem), s,
                                  static_cast<std::size_t>(src_stride * elem), width, static_cast<std::size_t>(rows),
                                  cudaMemcpyDeviceToDevice, stream_));
}

bool CudaBackend::ensure_workspace(std::size_t bytes) {
  if (bytes <= workspace_bytes_) return true;
  // Give the old one back first: on a full device that memory may be what the new one needs.
  allocator_.deallocate(workspace_);
  workspace_ = nullptr;
  workspace_bytes_ = 0;
  workspace_ = allocator_.try_allocate(bytes, stream_);
  if (!workspace_) return false;
  workspace_bytes_ = bytes;
  return true;
}

}  // namespace gg

// The CUDA backend's lifetime: one backend per device, created on first use, with its stream,
// library handles and allocator; and the plain C++ entry points of cuda_backend_api.h.
#include <nvtx3/nvToolsExt.h>

#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_backend_api.h"
#include "kernels/cuda/cuda_check.h"

namespace gg {

namespace {

// cudaMalloc that reports out of memory as nullptr (the allocator then releases its cache and
// retries) and any other failure as an error.
void* device_malloc(std::size_t bytes) {
  void* p = nullptr;
  const cudaError_t status = cudaMalloc(&p, bytes);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // clear it, so the next launch check does not report it
    return nullptr;
  }
  GG_CUDA_CHECK(status);
  return p;
}

// NVIDIA's recommendation for Hopper (and more than enough for earlier GPUs).
constexpr std::size_t kCublasWorkspaceBytes = std::size_t{32} << 20;

}  // namespace

CudaBackend::CudaBackend(int device)
    : device_(device),
      allocator_({device_malloc, [](void* p) { GG_CUDA_CHECK(cudaFree(p)); },
                  [this] { GG_CUDA_CHECK(cudaStreamSynchronize(stream_)); }}) {
  const DeviceScope scope(device_, nullptr);
  // Non-blocking: no implicit ordering with the legacy default stream, which nothing here uses.
  GG_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  GG_CUBLAS_CHECK(cublasCreate(&cublas_));
  GG_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));  // (this resets any workspace: set it after)
  // cuBLAS's workspace comes from the allocator, so it is counted with the rest and cuBLAS needs
  // no pool of its own.
  cublas_workspace_ = allocator_.allocate(kCublasWorkspaceBytes, stream_);
  GG_CUBLAS_CHECK(cublasSetWorkspace(cublas_, cublas_workspace_, kCublasWorkspaceBytes));
  GG_CUDNN_CHECK(cudnnCreate(&cudnn_));
  GG_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
}

void CudaBackend::synchronize() {
  const DeviceScope scope(device_, nullptr);
  GG_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

DeviceScope::DeviceScope(int device, const char* range_name) {
  GG_CUDA_CHECK(cudaGetDevice(&previous_));
  if (previous_ != device) {
    GG_CUDA_CHECK(cudaSetDevice(device));
    switched_ = true;
  }
  if (range_name) {
    nvtxRangePushA(range_name);
    ranged_ = true;
  }
}

DeviceScope::~DeviceScope() {
  if (ranged_) nvtxRangePop();
  if (switched_) (void)cudaSetDevice(previous_);  // a destructor must not throw
}

namespace {

// The backends are created on first use and never destroyed: tensors held in static objects may
// be freed after any destructor of ours would have run, and the CUDA runtime may already be torn
// down at exit. The driver reclaims everything when the process ends.
constexpr int kMaxDevices = 64;
std::array<std::atomic<CudaBackend*>, kMaxDevices> g_backends{};
std::mutex g_create_mutex;

CudaBackend& backend_at(int index) {
  if (index < 0 || index >= kMaxDevices)
    throw std::out_of_range("CUDA device index " + std::to_string(index) + " is out of range");
  if (CudaBackend* b = g_backends[static_cast<std::size_t>(index)].load(std::memory_order_acquire)) return *b;
  std::lock_guard lock(g_create_mutex);
  std::atomic<CudaBackend*>& slot = g_backends[static_cast<std::size_t>(index)];
  if (CudaBackend* b = slot.load(std::memory_order_acquire)) return *b;
  int count = 0;
  GG_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (index >= count)
    throw std::out_of_range("CUDA device " + std::to_string(index) + " requested, " + std::to_string(count) +
                            " visible");
  auto* created = new CudaBackend(index);
  slot.store(created, std::memory_order_release);
  return *created;
}

}  // namespace

Backend& cuda_backend(int index) { return backend_at(index); }

MemoryStats cuda_memory_stats(int index) { return backend_at(index).memory_stats(); }

void cuda_release_cached_memory(int index) {
  CudaBackend& b = backend_at(index);
  const DeviceScope scope(b.device(), nullptr);
  b.release_cached_memory();
}

void cuda_synchronize(int index) { backend_at(index).synchronize(); }

}  // namespace gg

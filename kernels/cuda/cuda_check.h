#pragma once
// Error checks for the CUDA runtime, cuBLAS and cuDNN: a failing call throws std::runtime_error
// naming the call, the file and line, and the library's reason.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <stdexcept>
#include <string>

namespace gg::cuda {

[[noreturn]] inline void throw_error(const char* library, const char* call, const char* file, int line,
                                     const char* reason) {
  throw std::runtime_error(std::string(library) + " error: " + call + " failed at " + file + ":" +
                           std::to_string(line) + ": " + reason);
}

// The statuses that mean a library could not allocate device (or host) memory of its own.
inline bool is_out_of_memory(cublasStatus_t s) { return s == CUBLAS_STATUS_ALLOC_FAILED; }
inline bool is_out_of_memory(cudnnStatus_t s) {
  return s == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED ||
         s == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED;
}

}  // namespace gg::cuda

#define GG_CUDA_CHECK(call)                                                                  \
  do {                                                                                       \
    const cudaError_t gg_status_ = (call);                                                   \
    if (gg_status_ != cudaSuccess)                                                           \
      ::gg::cuda::throw_error("CUDA", #call, __FILE__, __LINE__, cudaGetErrorString(gg_status_)); \
  } while (0)

#define GG_CUBLAS_CHECK(call)                                                                     \
  do {                                                                                            \
    const cublasStatus_t gg_status_ = (call);                                                     \
    if (gg_status_ != CUBLAS_STATUS_SUCCESS)                                                      \
      ::gg::cuda::throw_error("cuBLAS", #call, __FILE__, __LINE__, cublasGetStatusString(gg_status_)); \
  } while (0)

#define GG_CUDNN_CHECK(call)                                                                   \
  do {                                                                                         \
    const cudnnStatus_t gg_status_ = (call);                                                   \
    if (gg_status_ != CUDNN_STATUS_SUCCESS)                                                    \
      ::gg::cuda::throw_error("cuDNN", #call, __FILE__, __LINE__, cudnnGetErrorString(gg_status_)); \
  } while (0)

// After a kernel launch: a bad launch configuration is reported at once, naming the kernel. (Faults
// inside a kernel surface at the next synchronizing call, named by that call.)
#define GG_CUDA_CHECK_LAUNCH(kernel)                                                               \
  do {                                                                                             \
    const cudaError_t gg_status_ = cudaGetLastError();                                             \
    if (gg_status_ != cudaSuccess)                                                                 \
      ::gg::cuda::throw_error("CUDA", "launch of " #kernel, __FILE__, __LINE__, cudaGetErrorString(gg_status_)); \
  } while (0)

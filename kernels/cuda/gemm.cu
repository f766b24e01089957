// Row-major GEMM through cuBLAS, which is column-major.
//
// A row-major (rows, cols) matrix with leading dimension ld is, read column-major, its transpose
// with the same ld. So C = op(A) op(B), all row-major, is C^T = op(B)^T op(A)^T column-major:
// call cuBLAS with the operands swapped and m and n exchanged, keeping each operand's transpose
// flag and leading dimension. No data moves.
#include <algorithm>
#include <type_traits>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_settings.h"

namespace gg {

void CudaBackend::gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, double alpha,
                       const Tensor& a, const Tensor& b, double beta, const Tensor& c) {
  if (m == 0 || n == 0) return;
  const DeviceScope scope(device_, "gemm");
  // TF32 only on request (CUBLAS_DEFAULT_MATH keeps f32 GEMMs in full f32 precision).
  GG_CUBLAS_CHECK(cublasSetMathMode(cublas_, cuda_settings().allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  // Stored row-major shapes: a is (m, k) or (k, m); b is (k, n) or (n, k); c is (m, n). cuBLAS
  // wants leading dimensions of at least 1 even when k == 0.
  const std::int64_t lda = std::max<std::int64_t>(1, trans_a ? m : k);
  const std::int64_t ldb = std::max<std::int64_t>(1, trans_b ? k : n);
  dispatch_dtype(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T alpha_t = static_cast<T>(alpha), beta_t = static_cast<T>(beta);
    if constexpr (std::is_same_v<T, float>) {
      GG_CUBLAS_CHECK(with_memory_retry([&] {
        return cublasSgemm_64(cublas_, op_b, op_a, n, m, k, &alpha_t, b.data<T>(), ldb, a.data<T>(), lda, &beta_t,
                             c.data<T>(), n);
      }));
    } else {
      GG_CUBLAS_CHECK(with_memory_retry([&] {
        return cublasDgemm_64(cublas_, op_b, op_a, n, m, k, &alpha_t, b.data<T>(), ldb, a.data<T>(), lda, &beta_t,
                             c.data<T>(), n);
      }));
    }
  });
}

}  // namespace gg

#include <cblas.h>

#include "kernels/cpu/blas.h"
#include "kernels/cpu/cpu_backend.h"

namespace gg {

namespace cpu {

void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
          std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const double* a,
          std::int64_t lda, const double* b, std::int64_t ldb, double beta, double* c, std::int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

}  // namespace cpu

void CpuBackend::gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const Tensor& a,
                      const Tensor& b, double beta, const Tensor& c) {
  dispatch_dtype(c.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // Stored shapes: a is (m, k) or (k, m); b is (k, n) or (n, k).
    cpu::gemm(ta, tb, m, n, k, static_cast<T>(alpha), a.data<T>(), ta ? m : k, b.data<T>(), tb ? k : n,
              static_cast<T>(beta), c.data<T>(), n);
  });
}

}  // namespace gg

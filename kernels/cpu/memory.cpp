// Allocation, copies, fills and dtype conversion on the CPU.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include "kernels/common/memory_poison.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

Backend& cpu_backend() {
  static CpuBackend instance;
  return instance;
}

void* CpuBackend::allocate(std::size_t bytes) {
  constexpr std::size_t kAlign = 64;        // a cache line, and the widest SIMD load
  constexpr std::size_t kHugePage = 2 << 20;
  const bool poison = memory_poisoning();
  const std::size_t wanted = poison ? bytes + kGuardBytes : bytes;
  // Large buffers (activations, im2col columns) go on 2 MiB pages where the kernel allows it:
  // GEMM packing and im2col stride through them, and 4 KiB pages cost TLB misses.
  const std::size_t align = wanted >= kHugePage ? kHugePage : kAlign;
  const std::size_t rounded = std::max(align, (wanted + align - 1) / align * align);
  void* p = std::aligned_alloc(align, rounded);
  if (!p) throw std::bad_alloc();
  if (align == kHugePage) madvise(p, rounded, MADV_HUGEPAGE);
  if (poison) {
    std::memset(p, kPoisonByte, bytes);
    std::memset(static_cast<char*>(p) + bytes, kGuardByte, kGuardBytes);
  }
  return p;
}

void CpuBackend::deallocate(void* ptr, std::size_t bytes) {
  if (ptr && memory_poisoning()) {
    const auto* guard = static_cast<const unsigned char*>(ptr) + bytes;
    for (std::size_t i = 0; i < kGuardBytes; ++i) {
      if (guard[i] != kGuardByte) {
        // Memory is already corrupt, so no exception: stop here, where a debugger shows who freed it.
        std::fprintf(stderr, "glitchgan: a write past the end of a %zu-byte CPU buffer (guard byte %zu changed)\n",
                     bytes, i);
        std::abort();
      }
    }
  }
  std::free(ptr);
}

void CpuBackend::copy_from_host(void* dst, const void* src, std::size_t bytes) { copy(dst, src, bytes); }
void CpuBackend::copy_to_host(void* dst, const void* src, std::size_t bytes) { copy(dst, src, bytes); }

void CpuBackend::copy(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0 || dst == src) return;
  constexpr std::int64_t kGrain = 1 << 20;
  cpu::parallel_for(static_cast<std::int64_t>(bytes), kGrain, [&](std::int64_t b, std::int64_t e) {
    std::memcpy(static_cast<char*>(dst) + b, static_cast<const char*>(src) + b, static_cast<std::size_t>(e - b));
  });
}

void CpuBackend::fill(const Tensor& t, double value) {
  dispatch_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    const T v = static_cast<T>(value);
    cpu::parallel_for(t.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
      std::fill(p + b, p + e, v);
    });
  });
}

void CpuBackend::convert(const Tensor& src, const Tensor& dst) {
  dispatch_dtype(src.dtype(), [&](auto src_tag) {
    dispatch_dtype(dst.dtype(), [&](auto dst_tag) {
      using S = decltype(src_tag);
      using D = decltype(dst_tag);
      const S* s = src.data<S>();
      D* d = dst.data<D>();
      cpu::parallel_for(src.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) d[i] = static_cast<D>(s[i]);
      });
    });
  });
}

void CpuBackend::copy_rows(const Tensor& src, std::int64_t src_stride, std::int64_t src_offset, const Tensor& dst,
                           std::int64_t dst_stride, std::int64_t dst_offset, std::int64_t rows, std::int64_t row_len) {
  const std::size_t elem = dtype_size(src.dtype());
  const char* s = static_cast<const char*>(src.raw_data());
  char* d = static_cast<char*>(dst.raw_data());
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / std::max<std::int64_t>(1, row_len));
  cpu::parallel_for(rows, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r)
      std::memcpy(d + static_cast<std::size_t>(r * dst_stride + dst_offset) * elem,
                  s + static_cast<std::size_t>(r * src_stride + src_offset) * elem, static_cast<std::size_t>(row_len) * elem);
  });
}

}  // namespace gg

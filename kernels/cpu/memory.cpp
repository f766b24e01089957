// Allocation, copies, fills and dtype conversion on the CPU.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include <sys/mman.h>

#include "kernels/common/caching_allocator.h"
#include "kernels/common/memory_poison.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

Backend& cpu_backend() {
  static CpuBackend instance;
  return instance;
}

// GG_CPU_CACHE_MB, 1024 MiB by default, 0 turns the cache off. Off in AddressSanitizer builds,
// whose use-after-free checks a reused buffer would blind.
std::size_t cpu_memory_cache_limit() {
#if defined(__SANITIZE_ADDRESS__)
  return 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 0;
#endif
#endif
  const char* value = std::getenv("GG_CPU_CACHE_MB");
  if (value == nullptr || *value == '\0') return std::size_t{1024} << 20;
  char* end = nullptr;
  const unsigned long long mb = std::strtoull(value, &end, 10);
  if (*end != '\0' || value[0] == '-') {
    throw std::invalid_argument(std::string("GG_CPU_CACHE_MB must be a whole number of MiB, got '") + value + "'");
  }
  return static_cast<std::size_t>(mb) << 20;
}

namespace {

constexpr std::size_t kAlign = 64;  // a cache line, and the widest SIMD load
constexpr std::size_t kHugePage = 2 << 20;
// Buffers from this size on go through the cache: below it malloc serves them from its heap
// without faulting in fresh pages, and a cache lookup would cost more than it saves.
constexpr std::size_t kCachedFrom = 64 << 10;

void* allocate_aligned(std::size_t bytes) {
  // Large buffers (activations, im2col columns) go on 2 MiB pages where the kernel allows it:
  // GEMM packing and im2col stride through them, and 4 KiB pages cost TLB misses.
  const std::size_t align = bytes >= kHugePage ? kHugePage : kAlign;
  void* p = nullptr;
  if (posix_memalign(&p, align, std::max(bytes, align)) != 0) return nullptr;
  if (align == kHugePage) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

// Freed large buffers are kept and handed out again (kernels/common/caching_allocator.h): a
// training step frees and allocates the same sizes every iteration, and each fresh large buffer
// otherwise costs page faults and the kernel's zeroing of its pages. nullptr when turned off.
CachingAllocator* cpu_cache() {
  static const std::size_t limit = cpu_memory_cache_limit();
  // Never destroyed: tensors held by other statics may be freed after it would be.
  static CachingAllocator* cache =
      limit == 0 ? nullptr
                 : new CachingAllocator({allocate_aligned, [](void* p) { std::free(p); }, [] {}},
                                        {.device = "CPU", .max_cached = limit});
  return cache;
}

}  // namespace

void* CpuBackend::allocate(std::size_t bytes) {
  const bool poison = memory_poisoning();
  const std::size_t wanted = poison ? bytes + kGuardBytes : bytes;
  CachingAllocator* cache = wanted >= kCachedFrom ? cpu_cache() : nullptr;
  void* p = cache ? cache->allocate(wanted, nullptr) : allocate_aligned(wanted);
  if (!p) throw std::bad_alloc();
  if (poison) {
    std::memset(p, kPoisonByte, bytes);
    std::memset(static_cast<char*>(p) + bytes, kGuardByte, kGuardBytes);
  }
  return p;
}

void CpuBackend::deallocate(void* ptr, std::size_t bytes) {
  if (!ptr) return;
  const bool poison = memory_poisoning();
  if (poison) {
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
  const std::size_t wanted = poison ? bytes + kGuardBytes : bytes;
  if (CachingAllocator* cache = wanted >= kCachedFrom ? cpu_cache() : nullptr)
    cache->deallocate(ptr);
  else
    std::free(ptr);
}

MemoryStats cpu_memory_stats() {
  const CachingAllocator* cache = cpu_cache();
  return cache ? cache->stats() : MemoryStats{};
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

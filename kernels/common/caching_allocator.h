#pragma once
// A caching allocator for tensor memory. A training step frees and re-allocates the same sizes
// every iteration, so freed blocks are kept in free lists and handed out again. On CUDA that saves
// cudaMalloc and cudaFree (which synchronizes the device); on the CPU it saves the page faults and
// the kernel's zeroing of fresh pages that every large malloc'd buffer costs anew.
//
// Written as plain C++ over three callbacks (allocate a raw block, free one, synchronize), so the
// bookkeeping is tested on the CPU; kernels/cuda/cuda_backend.cu binds them to the CUDA runtime,
// kernels/cpu/memory.cpp to aligned host allocations.
//
// StreamHandle awareness: every block remembers the stream it was allocated for and is only reused for
// that stream. Work on one stream runs in order, so a block freed while a kernel still reads it
// can be handed to the next request at once: whatever the new owner queues runs after that kernel.
// (Reuse across streams would need an event per block; glitchgan uses one stream per device.) The
// CPU has one "stream", nullptr.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

namespace gg {

// Size classes. Requests are rounded up so that a freed block serves later requests of similar
// size: up to 1 MiB in steps of 512 bytes (also the alignment cuBLAS and cuDNN like), above that
// four classes per power of two (1.25, 1.5, 1.75, 2 MiB, 2.5 MiB, ...), wasting at most 25%.
constexpr std::size_t kMinBlock = 512;
constexpr std::size_t kSmallLimit = std::size_t{1} << 20;

inline std::size_t bucket_size(std::size_t bytes) {
  if (bytes <= kSmallLimit) return std::max(kMinBlock, (bytes + kMinBlock - 1) / kMinBlock * kMinBlock);
  const std::size_t step = std::bit_floor(bytes - 1) / 4;
  return (bytes + step - 1) / step * step;
}

struct MemoryStats {
  std::size_t in_use = 0;         // bytes of blocks handed out (bucket sizes)
  std::size_t peak_in_use = 0;    // the most in_use has ever been
  std::size_t cached = 0;         // bytes of freed blocks kept for reuse
  std::size_t reserved = 0;       // bytes obtained from the device: in_use + cached
  std::uint64_t device_allocations = 0;  // raw allocations (cache misses)
  std::uint64_t reuses = 0;              // requests served from the cache
};

using StreamHandle = void*;  // opaque here; a cudaStream_t in the CUDA backend, nullptr on the CPU

struct CachingAllocatorOptions {
  std::string device = "CUDA";  // names the memory in the out-of-memory error
  // The most bytes kept cached; a block freed beyond it goes back at once (so sizes that a run
  // stops using, e.g. an earlier ProGAN level's, cannot pile up without bound).
  std::size_t max_cached = SIZE_MAX;
};

class CachingAllocator {
 public:
  struct RawMemory {
    std::function<void*(std::size_t)> allocate;  // nullptr when the device is out of memory
    std::function<void(void*)> free;
    std::function<void()> synchronize;           // waits for all queued work before blocks are freed
  };

  explicit CachingAllocator(RawMemory raw, CachingAllocatorOptions options = {}) : raw_(std::move(raw)), options_(std::move(options)) {}
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // A block of at least `bytes` for work on `stream`, or nullptr when the device has no room even
  // after the cache is given back to it.
  void* try_allocate(std::size_t bytes, StreamHandle stream) {
    const std::size_t size = bucket_size(bytes);
    std::lock_guard lock(mutex_);
    if (auto it = free_.find({stream, size}); it != free_.end()) {
      void* p = it->second;
      free_.erase(it);
      stats_.cached -= size;
      stats_.reuses += 1;
      hand_out(p, size, stream);
      return p;
    }
    void* p = raw_.allocate(size);
    if (!p && !free_.empty()) {
      release_cached_locked();
      p = raw_.allocate(size);
    }
    if (!p) return nullptr;
    stats_.reserved += size;
    stats_.device_allocations += 1;
    hand_out(p, size, stream);
    return p;
  }

  // As try_allocate, but out of memory is an error that says how much was asked for and held.
  void* allocate(std::size_t bytes, StreamHandle stream) {
    if (void* p = try_allocate(bytes, stream)) return p;
    const MemoryStats s = stats();
    throw std::runtime_error(options_.device + " out of memory: " + std::to_string(bytes) + " bytes requested, " +
                             std::to_string(s.in_use) + " bytes in use (peak " + std::to_string(s.peak_in_use) +
                             "), cache already released");
  }

  // Returns a block to its free list. Never throws: it runs in tensor destructors.
  void deallocate(void* p) {
    if (!p) return;
    std::lock_guard lock(mutex_);
    const auto it = live_.find(p);
    if (it == live_.end()) {
      std::fprintf(stderr, "gg::cuda::CachingAllocator: free of a pointer it did not allocate (%p)\n", p);
      std::abort();
    }
    const Block b = it->second;
    live_.erase(it);
    stats_.in_use -= b.size;
    if (b.size > options_.max_cached - stats_.cached) {
      raw_.synchronize();  // queued work may still read it
      raw_.free(p);
      stats_.reserved -= b.size;
      return;
    }
    stats_.cached += b.size;
    free_.emplace(std::make_pair(b.stream, b.size), p);
  }

  // Gives every cached block back to the device (blocks in use are untouched).
  void release_cached() {
    std::lock_guard lock(mutex_);
    release_cached_locked();
  }

  MemoryStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  struct Block {
    std::size_t size;
    StreamHandle stream;
  };

  void hand_out(void* p, std::size_t size, StreamHandle stream) {
    live_.emplace(p, Block{size, stream});
    stats_.in_use += size;
    stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.in_use);
  }

  void release_cached_locked() {
    if (free_.empty()) return;
    raw_.synchronize();  // a cached block may still be read by queued work
    for (const auto& [key, p] : free_) {
      raw_.free(p);
      stats_.reserved -= key.second;
    }
    stats_.cached = 0;
    free_.clear();
  }

  RawMemory raw_;
  CachingAllocatorOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, Block> live_;
  std::multimap<std::pair<StreamHandle, std::size_t>, void*> free_;  // (stream, bucket size) -> block
  MemoryStats stats_;
};

// Runs a library call that can fail for want of device memory it allocates itself (cuBLAS and
// cuDNN keep some internal buffers this allocator does not provide): when out_of_memory(status)
// says so, the cached blocks go back to the device and the call runs once more. Returns the
// status of the last attempt, for the caller's usual check.
template <typename Call, typename IsOutOfMemory>
auto retry_after_release(CachingAllocator& allocator, Call&& call, IsOutOfMemory&& out_of_memory) {
  auto status = call();
  if (out_of_memory(status)) {
    allocator.release_cached();
    status = call();
  }
  return status;
}

}  // namespace gg

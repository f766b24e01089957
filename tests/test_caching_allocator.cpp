// The caching allocator of both backends (kernels/common/caching_allocator.h), on fake memory with
// a byte budget, and the CPU backend's use of it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <map>

#include "engine/backend.h"
#include "engine/tensor.h"
#include "kernels/common/caching_allocator.h"
#include "kernels/cpu/cpu_backend.h"

using namespace gg;

namespace {

// Host memory standing in for the device, with a byte budget so that out of memory can happen.
struct FakeDevice {
  explicit FakeDevice(std::size_t bytes) : budget(bytes) {}
  std::size_t budget;
  std::size_t used = 0;
  int syncs = 0;
  std::map<void*, std::size_t> blocks;

  CachingAllocator::RawMemory raw() {
    return {[this](std::size_t bytes) -> void* {
              if (used + bytes > budget) return nullptr;
              void* p = std::malloc(bytes);
              blocks[p] = bytes;
              used += bytes;
              return p;
            },
            [this](void* p) {
              used -= blocks.at(p);
              blocks.erase(p);
              std::free(p);
            },
            [this] { ++syncs; }};
  }
};

}  // namespace

TEST_CASE("allocator: size classes round up to 512 bytes, then to quarter powers of two") {
  CHECK(bucket_size(0) == 512);
  CHECK(bucket_size(1) == 512);
  CHECK(bucket_size(512) == 512);
  CHECK(bucket_size(513) == 1024);
  CHECK(bucket_size(std::size_t{1} << 20) == std::size_t{1} << 20);
  CHECK(bucket_size((std::size_t{1} << 20) + 1) == 1310720);  // 1.25 MiB
  CHECK(bucket_size(std::size_t{3} << 20) == std::size_t{3} << 20);
  CHECK(bucket_size(std::size_t{2} << 30) == std::size_t{2} << 30);
  std::size_t previous = 0;
  for (std::size_t bytes = 1; bytes < (std::size_t{1} << 34); bytes = bytes * 5 / 4 + 7) {
    const std::size_t b = bucket_size(bytes);
    CAPTURE(bytes);
    CHECK(b >= bytes);
    CHECK(b % 512 == 0);
    CHECK(b >= previous);  // monotonic
    if (bytes > 512) CHECK(static_cast<double>(b) <= 1.25 * static_cast<double>(bytes) + 512);
    previous = b;
  }
}

TEST_CASE("allocator: reuses freed blocks per stream and keeps in-use, peak and cached counts") {
  FakeDevice dev{1 << 24};
  CachingAllocator alloc(dev.raw());
  auto* s1 = reinterpret_cast<StreamHandle>(1);
  auto* s2 = reinterpret_cast<StreamHandle>(2);

  void* a = alloc.allocate(1000, s1);  // bucket 1024
  void* b = alloc.allocate(5000, s1);  // bucket 5120
  CHECK(alloc.stats().in_use == 1024 + 5120);
  CHECK(alloc.stats().device_allocations == 2);
  alloc.deallocate(a);
  CHECK(alloc.stats().in_use == 5120);
  CHECK(alloc.stats().cached == 1024);
  CHECK(alloc.stats().peak_in_use == 6144);

  void* c = alloc.allocate(900, s1);  // same bucket, same stream: the freed block comes back
  CHECK(c == a);
  CHECK(alloc.stats().reuses == 1);
  CHECK(alloc.stats().cached == 0);

  alloc.deallocate(c);
  void* d = alloc.allocate(900, s2);  // another stream never takes it
  CHECK(d != a);
  CHECK(alloc.stats().device_allocations == 3);
  CHECK(alloc.stats().reserved == 1024 + 5120 + 1024);

  alloc.deallocate(b);
  alloc.deallocate(d);
  CHECK(alloc.stats().in_use == 0);
  alloc.release_cached();
  CHECK(alloc.stats().cached == 0);
  CHECK(alloc.stats().reserved == 0);
  CHECK(dev.used == 0);
  CHECK(dev.syncs == 1);  // queued work is waited for before memory goes back
}

TEST_CASE("allocator: releases its cache when the device is full, then reports out of memory") {
  FakeDevice dev{4096};
  CachingAllocator alloc(dev.raw());
  auto* s = reinterpret_cast<StreamHandle>(1);
  void* a = alloc.allocate(2048, s);
  void* b = alloc.allocate(1024, s);
  alloc.deallocate(a);  // 2048 cached, 1024 in use, 1024 left on the device
  void* c = alloc.try_allocate(3500, s);  // 3584 bytes: fails at first, then the cache goes back
  CHECK(c == nullptr);                    // and still 3584 > 4096 - 1024
  CHECK(alloc.stats().cached == 0);
  CHECK(dev.used == 1024);
  void* d = alloc.try_allocate(2500, s);  // 2560 fits now
  CHECK(d != nullptr);
  CHECK_THROWS_WITH_AS(alloc.allocate(4096, s), doctest::Contains("CUDA out of memory"), std::runtime_error);
  alloc.deallocate(b);
  alloc.deallocate(d);
  alloc.release_cached();
  CHECK(dev.used == 0);
}

TEST_CASE("allocator: a library call that ran out of memory runs once more after the cache goes back") {
  FakeDevice dev{4096};
  CachingAllocator alloc(dev.raw());
  auto* s = reinterpret_cast<StreamHandle>(1);
  constexpr int kOk = 0, kOutOfMemory = 3, kOtherFailure = 7;
  const auto out_of_memory = [](int status) { return status == kOutOfMemory; };
  int calls = 0;
  // A library call that needs `bytes` of device memory of its own, beside what the allocator holds.
  const auto needing = [&](std::size_t bytes) {
    return [&dev, &calls, bytes] {
      ++calls;
      return dev.budget - dev.used >= bytes ? kOk : kOutOfMemory;
    };
  };

  alloc.deallocate(alloc.allocate(2048, s));  // 2048 bytes cached, 2048 free
  CHECK(retry_after_release(alloc, needing(3000), out_of_memory) == kOk);
  CHECK(calls == 2);
  CHECK(alloc.stats().cached == 0);
  CHECK(dev.syncs == 1);

  alloc.deallocate(alloc.allocate(512, s));  // success and other failures run once; the cache stays
  calls = 0;
  CHECK(retry_after_release(alloc, needing(100), out_of_memory) == kOk);
  CHECK(retry_after_release(alloc, [&] { ++calls; return kOtherFailure; }, out_of_memory) == kOtherFailure);
  CHECK(calls == 2);
  CHECK(alloc.stats().cached == 512);

  calls = 0;  // more than the whole device: the second attempt's status is what the caller sees
  CHECK(retry_after_release(alloc, needing(5000), out_of_memory) == kOutOfMemory);
  CHECK(calls == 2);
  CHECK(dev.used == 0);
}


TEST_CASE("allocator: a block freed beyond the cache's limit goes straight back") {
  FakeDevice dev{1 << 20};
  CachingAllocator alloc(dev.raw(), {.device = "fake", .max_cached = 3000});
  void* a = alloc.allocate(2048, nullptr);
  void* b = alloc.allocate(1024, nullptr);
  void* c = alloc.allocate(1024, nullptr);
  alloc.deallocate(a);  // 2048 cached
  alloc.deallocate(b);  // 2048 + 1024 > 3000: freed at once, after queued work
  CHECK(alloc.stats().cached == 2048);
  CHECK(alloc.stats().reserved == 2048 + 1024);
  CHECK(dev.used == 2048 + 1024);
  CHECK(dev.syncs == 1);
  CHECK(alloc.allocate(2000, nullptr) == a);  // what was kept is still reused
  CHECK_THROWS_WITH_AS(alloc.allocate(std::size_t{2} << 20, nullptr), doctest::Contains("fake out of memory"),
                       std::runtime_error);
  alloc.deallocate(a);
  alloc.deallocate(c);
  alloc.release_cached();
  CHECK(dev.used == 0);
}

TEST_CASE("allocator: the CPU backend hands a freed large buffer out again, small ones bypass it") {
  if (cpu_memory_cache_limit() == 0) {
    std::printf("GG_SKIP_NO_CPU_CACHE: the CPU cache is off (GG_CPU_CACHE_MB=0 or an AddressSanitizer build)\n");
    std::fflush(stdout);
    return;
  }
  const MemoryStats before = cpu_memory_stats();
  const void* first = nullptr;
  {
    const Tensor big = Tensor::zeros({256, 1024});  // 1 MiB of f32
    first = big.raw_data();
  }
  const MemoryStats freed = cpu_memory_stats();
  CHECK(freed.cached >= before.cached + (std::size_t{1} << 20));
  const Tensor again = Tensor::zeros({1024, 256});  // the same size: the same memory, zeroed as asked
  CHECK(again.raw_data() == first);
  CHECK(cpu_memory_stats().reuses == freed.reuses + 1);
  const std::vector<float> values = again.to_vector<float>();
  CHECK(std::all_of(values.begin(), values.end(), [](float v) { return v == 0.0f; }));
  const Tensor small = Tensor::zeros({16});  // below the cache's threshold: the counters do not move
  CHECK(cpu_memory_stats().device_allocations + cpu_memory_stats().reuses ==
        freed.device_allocations + freed.reuses + 1);
}

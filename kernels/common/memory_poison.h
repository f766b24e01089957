#pragma once
// A test mode that makes reads of memory nobody wrote fail loudly. With GG_POISON_MEMORY=1 in the
// environment every new tensor buffer, on the CPU and on CUDA devices, starts as all-ones bytes:
// 0xFFFFFFFF and 0xFFFFFFFFFFFFFFFF are NaNs in f32 and f64, so a kernel that reads an output it
// did not write (or accumulates into one it never zeroed) turns its result into NaN, which the
// tests' comparisons reject. (Plain allocations hide such bugs: big buffers come from fresh pages,
// which the kernel hands out zeroed.) On the CPU each buffer also gets guard bytes after its end,
// checked when it is freed, which catch writes past the end.
#include <cstddef>
#include <cstdlib>
#include <string_view>

namespace gg {

constexpr unsigned char kPoisonByte = 0xFF;
constexpr unsigned char kGuardByte = 0xA5;
constexpr std::size_t kGuardBytes = 64;

// Read once per process: the mode cannot change while buffers are live.
inline bool memory_poisoning() {
  static const bool enabled = [] {
    const char* value = std::getenv("GG_POISON_MEMORY");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return enabled;
}

}  // namespace gg

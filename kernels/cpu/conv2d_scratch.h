#pragma once
// Reusable scratch for the convolutions (im2col columns, oneDNN's blocked copies and its
// scratchpad): from the backend allocator, so large buffers get huge pages; grown on demand and
// kept, one set per thread.
#include <array>
#include <cstddef>

#include "kernels/cpu/cpu_backend.h"

namespace gg::cpu {

class ConvScratch {
 public:
  static constexpr std::size_t kSlots = 4;

  ConvScratch() = default;
  ConvScratch(const ConvScratch&) = delete;
  ConvScratch& operator=(const ConvScratch&) = delete;
  ~ConvScratch() {
    for (Buffer& b : buffers_) cpu_backend().deallocate(b.data, b.bytes);
  }

  // At least `bytes` in slot `slot`; the previous contents are not kept when it grows.
  void* get(std::size_t slot, std::size_t bytes) {
    Buffer& b = buffers_.at(slot);
    if (b.bytes < bytes) {
      cpu_backend().deallocate(b.data, b.bytes);
      b.data = nullptr;
      b.data = cpu_backend().allocate(bytes);
      b.bytes = bytes;
    }
    return b.data;
  }

 private:
  struct Buffer {
    void* data = nullptr;
    std::size_t bytes = 0;
  };
  std::array<Buffer, kSlots> buffers_{};
};

// The calling thread's scratch.
inline ConvScratch& conv_scratch() {
  thread_local ConvScratch scratch;
  return scratch;
}

template <typename T>
T* conv_scratch_array(std::size_t slot, std::size_t count) {
  return static_cast<T*>(conv_scratch().get(slot, count * sizeof(T)));
}

}  // namespace gg::cpu

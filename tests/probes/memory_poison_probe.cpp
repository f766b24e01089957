// Checks the GG_POISON_MEMORY test mode from the outside (the mode is read once per process, so
// the doctest binary cannot switch it on for one case). ctest runs it with the variable set:
//   memory_poison_probe fresh    prints how many elements of fresh f32 and f64 buffers, small and
//                                large, are not NaN (all should be NaN)
//   memory_poison_probe overrun  writes one element past a buffer's end and frees it: the
//                                allocator must stop the process and name the buffer's size
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "engine/tensor.h"

namespace {

template <typename T>
long not_nan(const gg::Tensor& t) {
  const T* p = t.data<T>();
  long count = 0;
  for (std::int64_t i = 0; i < t.numel(); ++i) count += std::isnan(p[i]) ? 0 : 1;
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  using gg::DType;
  using gg::Tensor;
  if (argc == 2 && std::strcmp(argv[1], "fresh") == 0) {
    long count = 0;
    for (std::int64_t n : {std::int64_t{7}, std::int64_t{1} << 20}) {  // an aligned_alloc and a huge-page one
      count += not_nan<float>(Tensor::empty({n}, {DType::f32}));
      count += not_nan<double>(Tensor::empty({n}, {DType::f64}));
    }
    std::printf("fresh buffers: %ld elements not NaN\n", count);
    return count == 0 ? 0 : 1;
  }
  if (argc == 2 && std::strcmp(argv[1], "overrun") == 0) {
    // The allocator aborts; the abort is this probe's success (ctest would call a crash a failure).
    std::signal(SIGABRT, [](int) { _exit(0); });
    const Tensor t = Tensor::empty({100}, {DType::f32});
    t.data<float>()[100] = 0.0f;  // deliberately one past the end: inside the guard bytes
    std::printf("the overrun went unnoticed\n");
    return 0;  // the tensor is freed on the way out, which is where the write must be caught
  }
  std::fprintf(stderr, "usage: memory_poison_probe fresh|overrun (with GG_POISON_MEMORY=1)\n");
  return 2;
}

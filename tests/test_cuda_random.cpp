// Philox on the device gives the CPU's numbers for the same (seed, offset): uniform and dropout
// streams bit for bit; normal streams bit for bit except where CUDA's and glibc's double log, sin
// or cos differ by an ulp (see kernels/common/philox.h), which may move a value by one ulp.
#include <cmath>
#include <cstring>

#include "engine/backend.h"
#include "tests/test_cuda_helpers.h"

using namespace gg;
using cuda_testing::gpu;

namespace {

// Sizes around the 4-values-per-block and 2-per-pair boundaries, and one large enough for the
// grid-stride loops to wrap: the grid is capped at 2^16 blocks of 256 threads (cuda::blocks_for),
// 2^24 threads, which cover 2^26 uniforms (4 per thread) or 2^25 normals (2 per thread).
const std::int64_t kSizes[] = {1, 2, 3, 4, 5, 7, 1001, (std::int64_t{1} << 26) + 5};

}  // namespace

TEST_CASE("cuda: uniform random fills are bit-identical to the CPU's") {
  GG_REQUIRE_CUDA();
  for (DType dt : {DType::f32, DType::f64})
    for (std::int64_t n : kSizes)
      // 0.1 + 0.67 u is not exact in double: this checks that both backends fuse the multiply-add.
      for (auto [lo, hi] : {std::pair{0.0, 1.0}, std::pair{0.1, 0.77}}) {
        CAPTURE(n);
        CAPTURE(lo);
        Generator cpu_gen(1234, 77), gpu_gen(1234, 77);
        const Tensor c = Tensor::rand({n}, cpu_gen, {dt, Device::cpu()}, lo, hi);
        const Tensor g = Tensor::rand({n}, gpu_gen, {dt, gpu()}, lo, hi);
        CHECK(cpu_gen.offset() == gpu_gen.offset());
        if (dt == DType::f32)
          cuda_testing::check_identical<float>(g, c);
        else
          cuda_testing::check_identical<double>(g, c);
      }
}

TEST_CASE("cuda: normal random fills match the CPU's to the last bit, but for rare one-ulp libm differences") {
  GG_REQUIRE_CUDA();
  for (std::int64_t n : kSizes) {
    CAPTURE(n);
    Generator cpu_gen(99, 5), gpu_gen(99, 5);
    const auto c = Tensor::randn({n}, cpu_gen).to_vector<float>();
    const auto g = Tensor::randn({n}, gpu_gen, {DType::f32, gpu()}).to_vector<float>();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (c[i] == g[i]) continue;
      ++differ;
      CHECK(std::fabs(c[i] - g[i]) <= std::fabs(std::nextafter(c[i], 2 * c[i]) - c[i]));  // one ulp at most
    }
    INFO(differ << " of " << c.size() << " values differ by one ulp");
    CHECK(static_cast<double>(differ) <= 1e-5 * static_cast<double>(c.size()));
  }
  // f64, and a mean and scale that make the final multiply-add inexact.
  const Tensor c = Tensor::empty({4097}, {DType::f64}), g = Tensor::empty({4097}, {DType::f64, gpu()});
  backend_for(Device::cpu()).random_normal(c, 7, 0, 0.1, 0.3);
  backend_for(gpu()).random_normal(g, 7, 0, 0.1, 0.3);
  gg::testing::check_close(g, c, 1e-15, 1e-14);
}

TEST_CASE("cuda: dropout masks are bit-identical to the CPU's") {
  GG_REQUIRE_CUDA();
  for (std::int64_t n : kSizes) {
    CAPTURE(n);
    Generator cpu_gen(42, 3), gpu_gen(42, 3);
    const Tensor x = Tensor::ones({n});
    const Tensor c = dropout(x, 0.3, true, cpu_gen);
    const Tensor g = dropout(x.to(gpu()), 0.3, true, gpu_gen);
    cuda_testing::check_identical<float>(g, c);
  }
}

#pragma once
// Shared by the tests/test_cuda_*.cpp files. A test that needs a GPU starts with GG_REQUIRE_CUDA():
// with no visible device it prints GG_SKIP_NO_CUDA and returns, and ctest (SKIP_REGULAR_EXPRESSION
// in tests/CMakeLists.txt) reports it as skipped, never as passed.
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>

#include "kernels/cuda/cuda_runtime_info.h"
#include "tests/testing.h"

namespace gg::cuda_testing {

// Declared tolerances of a GPU result against the CPU's, per dtype.
struct Tolerance {
  double atol, rtol;
};
// A composition of elementwise kernels: rounding differences only.
inline Tolerance composite(DType dt) { return dt == DType::f32 ? Tolerance{1e-5, 1e-5} : Tolerance{1e-12, 1e-12}; }
// cuBLAS / cuDNN against OpenBLAS / oneDNN: other summation orders over long dot products.
inline Tolerance blas(DType dt) { return dt == DType::f32 ? Tolerance{2e-4, 2e-4} : Tolerance{1e-11, 1e-11}; }

inline bool cuda_visible() {
  static const bool visible = cuda_runtime_info().device_count > 0;
  return visible;
}

inline Device gpu() { return Device::cuda(0); }

// The same random values as a CPU and a GPU tensor of dtype `dt`.
struct Pair {
  Tensor cpu, gpu;
};
inline Pair random_pair(const Shape& shape, std::uint64_t seed, DType dt, double margin = 0) {
  const Tensor c = gg::testing::random_f64(shape, seed, margin).to(dt);
  return {c, c.to(gpu())};
}

inline Tensor on(const Tensor& t, Device d) { return t.to(d); }

// Every element equal, bit for bit (NaNs compared as bits too).
template <typename T>
void check_identical(const Tensor& actual, const Tensor& expected) {
  REQUIRE(actual.shape() == expected.shape());
  const auto a = actual.to_vector<T>(), b = expected.to_vector<T>();
  std::size_t mismatches = 0, first = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0 && mismatches++ == 0) first = i;
  INFO(mismatches << " of " << a.size() << " elements differ; first at " << first << ": "
                  << (a.empty() ? 0 : a[first]) << " vs " << (b.empty() ? 0 : b[first]));
  CHECK(mismatches == 0);
}

// f maps leaves to an output; returns the output and the gradients of sum(output * v) with
// respect to the leaves, with v the same fixed random tensor on both devices.
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
struct Evaluation {
  Tensor output;
  std::vector<Tensor> grads;
};
inline Evaluation evaluate(const Fn& f, const std::vector<Tensor>& inputs, Device device) {
  std::vector<Tensor> leaves;
  for (const Tensor& x : inputs) {
    Tensor leaf = x.detach().clone().to(device).detach();  // a fresh copy, never the caller's
    leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }
  const Tensor out = f(leaves);
  const Tensor v = gg::testing::random_f64(out.shape(), 99).to(out.dtype()).to(device);
  const std::vector<Tensor> grads = grad({sum(mul(out, v))}, leaves);
  return {out.detach(), grads};
}

// f on the CPU and on the GPU: outputs and gradients within the tolerances.
inline void check_against_cpu(const Fn& f, const std::vector<Tensor>& inputs, double atol, double rtol) {
  const Evaluation cpu = evaluate(f, inputs, Device::cpu());
  const Evaluation gpu_eval = evaluate(f, inputs, gpu());
  CHECK(gpu_eval.output.device() == gpu());
  {
    INFO("forward");
    gg::testing::check_close(gpu_eval.output, cpu.output, atol, rtol);
  }
  for (std::size_t i = 0; i < cpu.grads.size(); ++i) {
    INFO("gradient of input " << i);
    gg::testing::check_close(gpu_eval.grads[i], cpu.grads[i], atol, rtol);
  }
}

}  // namespace gg::cuda_testing

#define GG_REQUIRE_CUDA()                                                            \
  do {                                                                               \
    if (!::gg::cuda_testing::cuda_visible()) {                                       \
      std::printf("GG_SKIP_NO_CUDA: no CUDA device is visible, so this test is skipped\n"); \
      std::fflush(stdout);                                                           \
      return;                                                                        \
    }                                                                                \
  } while (0)

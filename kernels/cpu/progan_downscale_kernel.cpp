// The downscaling convolution's kernel: each (k, k) plane of the weight -> its (k + 1, k + 1)
// average over the four 2x2 shifts, and the adjoint (kernels/common/progan_math.h). Memory-bound:
// D's 256 -> 256 layer has 65536 planes of 9 -> 16 values. A GEMM with a 0/1 neighbour matrix did
// the same sums at 2-10 GFLOP/s (tall-skinny shapes GEMM libraries are not built for).
#include <algorithm>
#include <type_traits>

#include "kernels/common/progan_math.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

namespace {

// Calls value(in_plane, out_plane) for every plane of `in` and its plane of `out`, in parallel.
template <typename T, class Value>
void for_each_plane(const Tensor& in, const Tensor& out, Value value) {
  const T* src = in.data<T>();
  T* dst = out.data<T>();
  const std::int64_t in_plane = in.size(-1) * in.size(-2), out_plane = out.size(-1) * out.size(-2);
  const std::int64_t planes = out.numel() / out_plane;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / out_plane);
  cpu::parallel_for(planes, grain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t p = lo; p < hi; ++p) value(src + p * in_plane, dst + p * out_plane);
  });
}

// Runs plane(in, out, k) on every plane, with k a compile-time constant for D's 3x3 kernels: the
// loops then unroll and the padding's bounds checks fold away.
template <typename T, class PlaneFn>
void run_planes(const Tensor& in, const Tensor& out, int k, PlaneFn plane) {
  if (k == 3) {
    for_each_plane<T>(in, out, [plane](const T* i, T* o) { plane(i, o, std::integral_constant<int, 3>{}); });
  } else {
    for_each_plane<T>(in, out, [plane, k](const T* i, T* o) { plane(i, o, k); });
  }
}

}  // namespace

void CpuProganKernels::downscale_kernel_forward(const Tensor& w, const Tensor& out) {
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    run_planes<T>(w, out, static_cast<int>(w.size(-1)), [](const T* in, T* o, auto k) {
      for (int a = 0; a <= k; ++a)
        for (int b = 0; b <= k; ++b) o[a * (k + 1) + b] = downscale_kernel_value(in, k, a, b);
    });
  });
}

void CpuProganKernels::downscale_kernel_backward(const Tensor& g, const Tensor& gw) {
  dispatch_dtype(gw.dtype(), [&](auto tag) {
    using T = decltype(tag);
    run_planes<T>(g, gw, static_cast<int>(gw.size(-1)), [](const T* in, T* o, auto k) {
      for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) o[a * k + b] = downscale_kernel_adjoint_value(in, k, a, b);
    });
  });
}

}  // namespace gg

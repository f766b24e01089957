// The fused resampling convolutions' kernels: each (k, k) plane of a weight -> the (k + 1, k + 1)
// kernel of the downscaling conv (D) or of the upscaling transposed conv (G), and the adjoints
// (engine/progan_backend.h, ResampleKernel; the sums are kernels/common/progan_math.h).
// Memory-bound: a 256 -> 256 layer has 65536 planes of 9 -> 16 values. A GEMM with a 0/1
// neighbour matrix did the downscale's sums at 2-10 GFLOP/s (tall-skinny shapes GEMM libraries
// are not built for).
#include <algorithm>
#include <type_traits>

#include "kernels/common/progan_math.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

namespace {

// Calls value(in_plane, out_plane) for every plane of `out` and the plane of `in` it is made
// from, in parallel. For the upscale kernel, out (A, B, ...) plane (a, b) reads in (B, A, ...)
// plane (b, a): it swaps a weight's two channel axes (and its adjoint swaps them back).
template <typename T, class Value>
void for_each_plane(const Tensor& in, const Tensor& out, ResampleKernel kind, Value value) {
  const T* src = in.data<T>();
  T* dst = out.data<T>();
  const std::int64_t in_plane = in.size(-1) * in.size(-2), out_plane = out.size(-1) * out.size(-2);
  const std::int64_t planes = out.numel() / out_plane;
  const std::int64_t rows = resample_plane_rows(kind, out), columns = planes / rows;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / out_plane);
  cpu::parallel_for(planes, grain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t p = lo; p < hi; ++p) {
      value(src + resample_source_plane(p, rows, columns) * in_plane, dst + p * out_plane);
    }
  });
}

// Runs plane(in, out, k) on every plane, with k a compile-time constant for the networks' 3x3
// kernels: the loops then unroll and the padding's bounds checks fold away.
template <typename T, class PlaneFn>
void run_planes(const Tensor& in, const Tensor& out, ResampleKernel kind, int k, PlaneFn plane) {
  if (k == 3) {
    for_each_plane<T>(in, out, kind, [plane](const T* i, T* o) { plane(i, o, std::integral_constant<int, 3>{}); });
  } else {
    for_each_plane<T>(in, out, kind, [plane, k](const T* i, T* o) { plane(i, o, k); });
  }
}

// Calls body(integral_constant<ResampleKernel, kind>): the kind a compile-time constant too, so
// the inner loops carry no branch.
template <class Body>
void with_kind(ResampleKernel kind, Body body) {
  if (kind == ResampleKernel::upscale) {
    body(std::integral_constant<ResampleKernel, ResampleKernel::upscale>{});
  } else {
    body(std::integral_constant<ResampleKernel, ResampleKernel::downscale>{});
  }
}

}  // namespace

void CpuProganKernels::resample_kernel_forward(const Tensor& w, const Tensor& out, ResampleKernel kind) {
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    with_kind(kind, [&](auto up_or_down) {
      constexpr bool up = decltype(up_or_down)::value == ResampleKernel::upscale;
      run_planes<T>(w, out, kind, static_cast<int>(w.size(-1)), [](const T* in, T* o, auto k) {
        for (int a = 0; a <= k; ++a)
          for (int b = 0; b <= k; ++b)
            o[a * (k + 1) + b] = up ? upscale_kernel_value(in, k, a, b) : downscale_kernel_value(in, k, a, b);
      });
    });
  });
}

void CpuProganKernels::resample_kernel_backward(const Tensor& g, const Tensor& gw, ResampleKernel kind) {
  dispatch_dtype(gw.dtype(), [&](auto tag) {
    using T = decltype(tag);
    with_kind(kind, [&](auto up_or_down) {
      constexpr bool up = decltype(up_or_down)::value == ResampleKernel::upscale;
      run_planes<T>(g, gw, kind, static_cast<int>(gw.size(-1)), [](const T* in, T* o, auto k) {
        for (int a = 0; a < k; ++a)
          for (int b = 0; b < k; ++b)
            o[a * k + b] = up ? upscale_kernel_adjoint_value(in, k, a, b) : downscale_kernel_adjoint_value(in, k, a, b);
      });
    });
  });
}

}  // namespace gg

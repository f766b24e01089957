// The fused resampling convolutions' kernels and their adjoints (engine/progan_backend.h,
// ResampleKernel; kernels/common/progan_math.h), one thread per output element, so the results are
// the CPU's bit for bit.
#include "kernels/common/progan_math.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

// in (planes, k, k) -> out (planes, k + 1, k + 1).
template <typename T>
__global__ void resample_kernel_forward_kernel(const T* in, T* out, std::int64_t n, int k, ResampleKernel kind,
                                               std::int64_t rows, std::int64_t columns) {
  const int side = k + 1;
  GG_GRID_STRIDE_LOOP(i, n) {
    const T* w = in + resample_source_plane(i / (side * side), rows, columns) * k * k;
    const int at = static_cast<int>(i % (side * side));
    out[i] = kind == ResampleKernel::upscale ? upscale_kernel_value(w, k, at / side, at % side)
                                             : downscale_kernel_value(w, k, at / side, at % side);
  }
}

// in (planes, k + 1, k + 1) -> out (planes, k, k).
template <typename T>
__global__ void resample_kernel_backward_kernel(const T* in, T* out, std::int64_t n, int k, ResampleKernel kind,
                                                std::int64_t rows, std::int64_t columns) {
  GG_GRID_STRIDE_LOOP(i, n) {
    const T* g = in + resample_source_plane(i / (k * k), rows, columns) * (k + 1) * (k + 1);
    const int at = static_cast<int>(i % (k * k));
    out[i] = kind == ResampleKernel::upscale ? upscale_kernel_adjoint_value(g, k, at / k, at % k)
                                             : downscale_kernel_adjoint_value(g, k, at / k, at % k);
  }
}

template <class Launch>
void launch_on(const Tensor& out, const char* name, Launch launch) {
  const std::int64_t n = out.numel();
  if (n == 0) return;
  CudaBackend& b = cuda::backend_of(out);
  const DeviceScope scope(b.device(), name);
  dispatch_dtype(out.dtype(), [&](auto tag) { launch(decltype(tag){}, n, b.stream()); });
}

std::int64_t plane_count(const Tensor& out) { return out.numel() / (out.size(-1) * out.size(-2)); }

}  // namespace

void CudaProganKernels::resample_kernel_forward(const Tensor& w, const Tensor& out, ResampleKernel kind) {
  const int k = static_cast<int>(w.size(-1));
  const std::int64_t rows = resample_plane_rows(kind, out), columns = plane_count(out) / rows;
  launch_on(out, "resample_kernel_forward", [&](auto tag, std::int64_t n, cudaStream_t stream) {
    using T = decltype(tag);
    resample_kernel_forward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream>>>(w.data<T>(), out.data<T>(), n, k,
                                                                                        kind, rows, columns);
    GG_CUDA_CHECK_LAUNCH(resample_kernel_forward_kernel);
  });
}

void CudaProganKernels::resample_kernel_backward(const Tensor& g, const Tensor& gw, ResampleKernel kind) {
  const int k = static_cast<int>(gw.size(-1));
  const std::int64_t rows = resample_plane_rows(kind, gw), columns = plane_count(gw) / rows;
  launch_on(gw, "resample_kernel_backward", [&](auto tag, std::int64_t n, cudaStream_t stream) {
    using T = decltype(tag);
    resample_kernel_backward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream>>>(g.data<T>(), gw.data<T>(), n, k,
                                                                                         kind, rows, columns);
    GG_CUDA_CHECK_LAUNCH(resample_kernel_backward_kernel);
  });
}

}  // namespace gg

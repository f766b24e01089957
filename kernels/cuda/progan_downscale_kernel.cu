// The downscaling convolution's kernel and its adjoint (kernels/common/progan_math.h), one thread
// per output element, so the results are the CPU's bit for bit.
#include "kernels/common/progan_math.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

// in (planes, k, k) -> out (planes, k + 1, k + 1).
template <typename T>
__global__ void downscale_kernel_forward_kernel(const T* in, T* out, std::int64_t n, int k) {
  const int side = k + 1;
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t plane = i / (side * side);
    const int at = static_cast<int>(i % (side * side));
    out[i] = downscale_kernel_value(in + plane * k * k, k, at / side, at % side);
  }
}

// in (planes, k + 1, k + 1) -> out (planes, k, k).
template <typename T>
__global__ void downscale_kernel_backward_kernel(const T* in, T* out, std::int64_t n, int k) {
  GG_GRID_STRIDE_LOOP(i, n) {
    const std::int64_t plane = i / (k * k);
    const int at = static_cast<int>(i % (k * k));
    out[i] = downscale_kernel_adjoint_value(in + plane * (k + 1) * (k + 1), k, at / k, at % k);
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

}  // namespace

void CudaProganKernels::downscale_kernel_forward(const Tensor& w, const Tensor& out) {
  const int k = static_cast<int>(w.size(-1));
  launch_on(out, "downscale_kernel_forward", [&](auto tag, std::int64_t n, cudaStream_t stream) {
    using T = decltype(tag);
    downscale_kernel_forward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream>>>(w.data<T>(), out.data<T>(), n, k);
    GG_CUDA_CHECK_LAUNCH(downscale_kernel_forward_kernel);
  });
}

void CudaProganKernels::downscale_kernel_backward(const Tensor& g, const Tensor& gw) {
  const int k = static_cast<int>(gw.size(-1));
  launch_on(gw, "downscale_kernel_backward", [&](auto tag, std::int64_t n, cudaStream_t stream) {
    using T = decltype(tag);
    downscale_kernel_backward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, stream>>>(g.data<T>(), gw.data<T>(), n, k);
    GG_CUDA_CHECK_LAUNCH(downscale_kernel_backward_kernel);
  });
}

}  // namespace gg

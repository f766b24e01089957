// The epilogue of the equalized-learning-rate conv2d / linear, y = act(scale * y + bias[c]) in
// place in one pass over the GEMM's (or cuDNN's) output, and leaky ReLU's backward read from that
// output with the scale folded in. One thread per element, the math of kernels/common/progan_math.h,
// so the results are the CPU's bit for bit.
#include <limits>

#include "kernels/common/progan_math.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/progan_kernels.h"

namespace gg {

namespace {

// y (outer, C, inner): element i has channel (i / inner) % C. Index is 32-bit where the tensor
// allows: a 64-bit division costs several times a 32-bit one, and there is one per element.
template <bool Leaky, typename Index, typename T>
__global__ void scale_bias_activate_kernel(T* y, const T* bias, Index n, Index inner, Index channels, T scale,
                                           T slope) {
  const Index step = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    y[i] = scale_bias_activate_value<Leaky>(y[i], scale, bias[(i / inner) % channels], slope);
}

template <typename T>
__global__ void leaky_relu_backward_kernel(const T* g, const T* y, T* gz, std::int64_t n, T positive, T negative) {
  GG_GRID_STRIDE_LOOP(i, n) gz[i] = leaky_relu_grad_value(g[i], y[i], positive, negative);
}

template <bool Leaky, typename Index, typename T>
void launch_epilogue(const Tensor& y, const Tensor& bias, std::int64_t c, std::int64_t inner, T scale, T slope,
                     cudaStream_t stream) {
  const std::int64_t n = y.numel();
  scale_bias_activate_kernel<Leaky><<<cuda::blocks_for(n), cuda::kThreads, 0, stream>>>(
      y.data<T>(), bias.data<T>(), static_cast<Index>(n), static_cast<Index>(inner), static_cast<Index>(c), scale,
      slope);
  GG_CUDA_CHECK_LAUNCH(scale_bias_activate_kernel);
}

}  // namespace

void CudaProganKernels::scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky_relu,
                                            double slope) {
  const std::int64_t n = y.numel();
  if (n == 0) return;
  CudaBackend& b = cuda::backend_of(y);
  const DeviceScope scope(b.device(), "scale_bias_activate");
  const std::int64_t outer = y.size(0), c = y.size(1), inner = n / (outer * c);
  // The grid-stride loop's index stays below n + the grid's threads: 32 bits suffice below 2^31.
  const bool narrow = n <= std::numeric_limits<std::int32_t>::max();
  dispatch_dtype(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T s = static_cast<T>(scale), a = static_cast<T>(slope);
    if (leaky_relu && narrow) launch_epilogue<true, std::uint32_t>(y, bias, c, inner, s, a, b.stream());
    else if (leaky_relu) launch_epilogue<true, std::int64_t>(y, bias, c, inner, s, a, b.stream());
    else if (narrow) launch_epilogue<false, std::uint32_t>(y, bias, c, inner, s, a, b.stream());
    else launch_epilogue<false, std::int64_t>(y, bias, c, inner, s, a, b.stream());
  });
}

void CudaProganKernels::leaky_relu_backward(const Tensor& g, const Tensor& y, const Tensor& gz, double slope,
                                            double scale) {
  const std::int64_t n = g.numel();
  if (n == 0) return;
  CudaBackend& b = cuda::backend_of(g);
  const DeviceScope scope(b.device(), "leaky_relu_backward");
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // The mask's two factors, computed in double as on the CPU.
    leaky_relu_backward_kernel<<<cuda::blocks_for(n), cuda::kThreads, 0, b.stream()>>>(
        g.data<T>(), y.data<T>(), gz.data<T>(), n, static_cast<T>(scale), static_cast<T>(slope * scale));
    GG_CUDA_CHECK_LAUNCH(leaky_relu_backward_kernel);
  });
}

}  // namespace gg

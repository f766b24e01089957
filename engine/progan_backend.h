#pragma once
// The kernel table of ProGAN's custom ops (engine/ops_progan.h), kept apart from engine/backend.h
// so this family can grow without touching every backend. The CPU table lives in
// kernels/cpu/progan_*.cpp, the CUDA one in kernels/cuda/progan_*.cu; the math both compute per
// element is kernels/common/progan_math.h.
//
// Layout conventions: "(outer, C, inner)" means the contiguous tensor read as outer blocks of C
// channels, each channel a run of `inner` elements: (N, C) is (N, C, 1), NCHW is (N, C, H*W).
#include "engine/tensor.h"

namespace gg {

// How a convolution weight's (k, k) planes become the (k + 1, k + 1) kernel of a fused resampling
// convolution, the official fused_scale (the sums are kernels/common/progan_math.h):
enum class ResampleKernel {
  // w (outer, k, k) -> (outer, k + 1, k + 1): the average over the four 2x2 shifts of each plane
  // padded by one zero: a conv followed by 2x2 average pooling, as one stride-2 conv.
  downscale,
  // w (K, C, k, k) -> (C, K, k + 1, k + 1): the sum over the shifts, flipped in both axes, with the
  // channel axes swapped: nearest 2x upsampling followed by a conv, as one stride-2 transposed
  // conv (the input gradient of a conv with this kernel).
  upscale,
};

// The plane map both backends follow (kernels/common/progan_math.h, resample_source_plane): the
// kernel `out`'s planes as rows x columns, rows = out's first axis where the channel axes swap,
// else 1 (every plane in place).
inline std::int64_t resample_plane_rows(ResampleKernel kind, const Tensor& out) {
  return kind == ResampleKernel::upscale ? out.size(0) : 1;
}

class ProganKernels {
 public:
  virtual ~ProganKernels() = default;

  // x, y (outer, C, inner): y = x * rsqrt(mean over C of x^2 + eps).
  virtual void pixel_norm_forward(const Tensor& x, const Tensor& y, double eps) = 0;
  // gx = r * (g - x * r^2 * mean over C of (g * x)) with r = rsqrt(mean over C of x^2 + eps).
  virtual void pixel_norm_backward(const Tensor& x, const Tensor& g, const Tensor& gx, double eps) = 0;

  // x (N, C, H, W) -> y (N, C + 1, H, W): x, then the group's mean standard deviation as one more
  // channel. Groups of `group` samples (N divisible by it): sample n belongs to group n % (N / group).
  virtual void minibatch_stddev_forward(const Tensor& x, const Tensor& y, int group) = 0;
  // gx = gy's first C channels + the gradient of the appended channel routed back through the std.
  virtual void minibatch_stddev_backward(const Tensor& x, const Tensor& gy, const Tensor& gx, int group) = 0;

  // In place on y (outer, C, inner): y = act(scale * y + bias[c]), act leaky ReLU or identity.
  // The epilogue of the equalized conv2d / linear: one pass after the GEMM.
  virtual void scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky_relu,
                                   double slope) = 0;
  // gz = scale * g * (y > 0 ? 1 : slope): leaky ReLU's backward read from its output (which has the
  // sign of its input), with the equalized layer's run-time scale folded in.
  virtual void leaky_relu_backward(const Tensor& g, const Tensor& y, const Tensor& gz, double slope, double scale) = 0;

  // out = old + alpha * (new - old), all the same shape.
  virtual void fade_in(const Tensor& old_branch, const Tensor& new_branch, const Tensor& out, double alpha) = 0;

  // w -> out: the (k + 1, k + 1) kernel of a fused resampling convolution from a weight's (k, k)
  // planes (see ResampleKernel above).
  virtual void resample_kernel_forward(const Tensor& w, const Tensor& out, ResampleKernel kind) = 0;
  // Its adjoint: g (out's shape) -> gw (w's shape).
  virtual void resample_kernel_backward(const Tensor& g, const Tensor& gw, ResampleKernel kind) = 0;
};

// The table for a device. `kernel` names the kernel about to run, for the error thrown where the
// build or the machine lacks the device.
ProganKernels& progan_kernels_for(Device device, const char* kernel);
ProganKernels& cpu_progan_kernels();
// CUDA builds only (kernels/cuda/progan_*.cu): one table for every device, each call runs
// on the device its tensors live on. progan_kernels_for checks that the device exists first.
ProganKernels& cuda_progan_kernels();

}  // namespace gg

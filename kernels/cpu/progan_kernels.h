#pragma once
// The CPU implementation of ProGAN's kernel table (engine/progan_backend.h); one file per kernel
// family: progan_pixel_norm.cpp, progan_minibatch_stddev.cpp, progan_epilogue.cpp, progan_fade_in.cpp,
// progan_resample_kernel.cpp.
#include "engine/progan_backend.h"

namespace gg {

class CpuProganKernels final : public ProganKernels {
 public:
  void pixel_norm_forward(const Tensor& x, const Tensor& y, double eps) override;
  void pixel_norm_backward(const Tensor& x, const Tensor& g, const Tensor& gx, double eps) override;
  void minibatch_stddev_forward(const Tensor& x, const Tensor& y, int group) override;
  void minibatch_stddev_backward(const Tensor& x, const Tensor& gy, const Tensor& gx, int group) override;
  void scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky_relu, double slope) override;
  void leaky_relu_backward(const Tensor& g, const Tensor& y, const Tensor& gz, double slope, double scale) override;
  void fade_in(const Tensor& old_branch, const Tensor& new_branch, const Tensor& out, double alpha) override;
  void resample_kernel_forward(const Tensor& w, const Tensor& out, ResampleKernel kind) override;
  void resample_kernel_backward(const Tensor& g, const Tensor& gw, ResampleKernel kind) override;
};

}  // namespace gg

#pragma once
// The CUDA implementation of ProGAN's kernel table (engine/progan_backend.h), one file per kernel
// family as on the CPU: progan_pixel_norm.cu, progan_minibatch_stddev.cu, progan_epilogue.cu,
// progan_fade_in.cu (which also holds the table's instance), progan_resample_kernel.cu. One table
// serves every device: each call runs on the stream of the CUDA backend of the device its tensors
// live on. Sums are taken
// in double in orders fixed by the shapes (kernels/common/progan_plan.h), with no atomics, so
// two runs give the same bits.
#include "engine/progan_backend.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_backend_api.h"

namespace gg {

class CudaProganKernels final : public ProganKernels {
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

namespace cuda {

// The backend of the device `t` lives on.
inline CudaBackend& backend_of(const Tensor& t) {
  return static_cast<CudaBackend&>(cuda_backend(t.device().index));
}

}  // namespace cuda

}  // namespace gg

#pragma once
// ProGAN's custom ops (Karras et al. 2018): pixel norm, minibatch standard deviation,
// equalized-learning-rate conv2d / linear with bias and leaky ReLU fused, the downscaling
// convolution's kernel, and fade-in.
//
// Each op runs one fused kernel forward (engine/progan_backend.h, kernels/cpu/progan_*.cpp) and is
// differentiable to any order, like every op in engine/ops.h:
// - equalized conv2d / linear, fade-in and the downscale kernel have backwards made of ops that
//   are themselves differentiable (conv2d's adjoints, matmul, sums, leaky_relu_backward below; the
//   downscale kernel and its adjoint are each other's backward), so the same code serves a plain
//   backward and a recorded one;
// - pixel norm and minibatch stddev have a fused backward kernel for the plain backward pass, and
//   when the backward pass is being recorded (grad with create_graph, as WGAN-GP's gradient penalty
//   does) they compute the same gradient from differentiable ops instead, so it can be
//   differentiated again.
// The `unfused` namespace holds the plain compositions of basic ops that define each op; tests
// check the fused ops against them and benchmarks time both.
#include <numbers>

#include "engine/ops.h"

namespace gg {

constexpr double kProganLeakySlope = 0.2;

// x * rsqrt(mean over channels (dim 1) of x^2 + eps), for (N, C) or (N, C, H, W).
Tensor pixel_norm(const Tensor& x, double eps = 1e-8);

// x (N, C, H, W) -> (N, C + 1, H, W): appends the minibatch standard deviation as one channel.
// G = min(group_size, N) must divide N; with M = N / G, samples m, m+M, m+2M... form group m. Each
// feature's std over its group (biased, +1e-8 inside the sqrt), averaged over C, H and W, fills
// the new channel of every sample of the group (official grouping of Karras et al.).
Tensor minibatch_stddev(const Tensor& x, int group_size = 4);

struct EqualizedOptions {
  // The weight, stored ~ N(0, 1), is scaled at run time by gain / sqrt(fan_in) (He's constant).
  double gain = std::numbers::sqrt2;
  bool leaky_relu = false;  // slope kProganLeakySlope, after the bias
  // conv2d only: average-pool the convolution 2x2 before bias and activation. Computed as one
  // stride-2 convolution whose (k+1)x(k+1) kernel is the k x k one averaged over the 4 shifts
  // (the official conv2d_downscale2d): 2.25x fewer FLOPs than a 3x3 conv and a pool.
  bool downscale = false;
  // conv2d only: nearest-upsample the input 2x before the convolution. Computed as one stride-2
  // transposed convolution whose (k+1)x(k+1) kernel is upscale_kernel(weight) (the official
  // upscale2d_conv2d): 2.25x fewer FLOPs than an upsample and a 3x3 conv.
  bool upscale = false;
};

// He scale of the equalized learning rate.
double equalized_scale(double gain, std::int64_t fan_in);

// x (N, C, H, W), weight (K, C, k, k) with k odd, bias (K): "same"-padded stride-1 convolution
// (output H x W, H/2 x W/2 with downscale, 2H x 2W with upscale), then scale, bias and activation
// in one pass.
// fan_in = C k k.
Tensor equalized_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt = {});
// x (N, in), weight (out, in): x weight^T, then scale, bias and activation in one pass. bias is
// (out), or (C) with out a multiple of C: then the output is read as (N, C, out / C) and bias[c]
// is shared by its run, as in G's first layer, whose output is reshaped to (N, C, 4, 4) before
// its per-channel bias.
Tensor equalized_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt = {});

// w (..., k, k) -> (..., k + 1, k + 1): each k x k plane's average over its four 2x2 shifts, zero
// padded, so that avg_pool2x2(conv2d(x, w, pad p)) = conv2d(x, downscale_kernel(w), stride 2, pad p)
// (the official conv2d_downscale2d's kernel).
Tensor downscale_kernel(const Tensor& w);

// w (K, C, k, k) -> (C, K, k + 1, k + 1): each plane's sum over its four 2x2 shifts, zero padded,
// flipped in both axes, with the channel axes swapped, so that conv2d(upsample_nearest2x(x), w, pad
// p) = conv2d_backward_input(x, upscale_kernel(w), (N, K, 2H, 2W), stride 2, pad p): the transposed
// convolution of the official upscale2d_conv2d (which stores the weight flipped: the same layer).
Tensor upscale_kernel(const Tensor& w);

// lerp(old_branch, new_branch, alpha) = old + alpha (new - old), alpha in [0, 1] (1: all new).
// Both branches must have the same shape: the caller resamples the old one (G upsamples the
// previous toRGB, D average-pools the image before the previous fromRGB).
Tensor fade_in(double alpha, const Tensor& old_branch, const Tensor& new_branch);

// scale * grad * (output > 0 ? 1 : slope): leaky ReLU's backward read from its output, which has
// the sign of its input, times a constant (the equalized layers fold their run-time scale in here,
// on the activations, rather than into weight-sized tensors). Differentiable in grad; output is a
// constant of the backward.
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& output, double slope = kProganLeakySlope,
                           double scale = 1);

// The plain compositions of basic ops that define the fused ops above.
namespace unfused {
Tensor pixel_norm(const Tensor& x, double eps = 1e-8);
Tensor minibatch_stddev(const Tensor& x, int group_size = 4);
Tensor equalized_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt = {});
Tensor equalized_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt = {});
Tensor fade_in(double alpha, const Tensor& old_branch, const Tensor& new_branch);
Tensor downscale_kernel(const Tensor& w);
Tensor upscale_kernel(const Tensor& w);
}  // namespace unfused

}  // namespace gg

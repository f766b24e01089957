#pragma once
// ProGAN's generator and discriminator, following networks.py (G_paper, D_paper) of the official
// code of Karras et al. 2018, "Progressive Growing of GANs". Parameters carry the official names,
// lower-cased: "4x4.dense.weight", "8x8.conv0_up.weight", "torgb_lod0.weight", "fromrgb_lod1.bias"...
// (lod = log2(resolution) - level: lod 0 is the final resolution).
//
// Both networks are built for the final resolution and run at any level up to it:
//   G: pixel_norm(latent [+ one-hot label]) -> 4x4: dense (reshaped to (N, nf(1), 4, 4)), conv3x3
//      -> each level above: nearest upsample + conv3x3 ("conv0_up"; one stride-2 transposed 4x4
//      conv, the official fused_scale), conv3x3 ("conv1")
//      -> toRGB 1x1 (linear output). Leaky ReLU and pixel norm after every layer but toRGB.
//   D: fromRGB 1x1 -> each level above 4x4: conv3x3 ("conv0"), conv3x3 + 2x2 average pool
//      ("conv1_down"; pooled before its bias, the official fused_scale) -> 4x4: minibatch stddev,
//      conv3x3, dense to nf(0), dense to 1 + num_classes. Leaky ReLU after every layer but the last.
// Fade-in at level L with alpha < 1: G's image = lerp(upsample(toRGB_{L-1}(h_{L-1})),
// toRGB_L(h_L), alpha); D's features after block L = lerp(fromRGB_{L-1}(avgpool(img)),
// block_L(fromRGB_L(img)), alpha). With alpha = 1 the old branch is not computed at all.
// Every layer uses the equalized learning rate (engine/ops_progan.h): weights ~ N(0, 1), biases 0,
// He scale gain / sqrt(fan_in) at run time, gain sqrt(2) except G's dense sqrt(2)/4 and toRGB
// and D's last dense 1.
#include <memory>
#include <vector>

#include "engine/module.h"
#include "engine/ops_progan.h"

namespace gg::nets {

struct ProganConfig {
  int resolution = 64;                   // final, power of two, 8..1024
  int channels = 1;                      // 1 or 3
  int fmap_base = 8192, fmap_max = 512;  // nf(stage) = min(fmap_base / 2^stage, fmap_max)
  int latent_size = 0;                   // 0: nf(0), as the official code
  int num_classes = 0;  // > 0: conditional (one-hot label joined to the latent; D outputs 1 + num_classes)
  int mbstd_group_size = 4;  // <= 1: no minibatch stddev layer, as the official code
};

// nf(stage): the feature maps of a stage (stage s works at resolution 2^(s+1)).
int progan_features(const ProganConfig& c, int stage);

// Equalized-learning-rate layers: weight ~ N(0, 1), bias 0.
class EqualizedConv2d : public Module {
 public:
  EqualizedConv2d(std::int64_t in, std::int64_t out, int kernel, EqualizedOptions options, Generator& init,
                  TensorOptions opt = {});
  Tensor forward(const Tensor& x) const { return equalized_conv2d(x, weight, bias, options); }
  Tensor weight;  // (out, in, kernel, kernel)
  Tensor bias;    // (out)
  EqualizedOptions options;
};

class EqualizedLinear : public Module {
 public:
  // bias_size: out, or a divisor of it for a bias per run of outputs (see equalized_linear).
  EqualizedLinear(std::int64_t in, std::int64_t out, std::int64_t bias_size, EqualizedOptions options,
                  Generator& init, TensorOptions opt = {});
  Tensor forward(const Tensor& x) const { return equalized_linear(x, weight, bias, options); }
  Tensor weight;  // (out, in)
  Tensor bias;    // (bias_size)
  EqualizedOptions options;
};

class ProganGenerator : public Module {
 public:
  ProganGenerator(const ProganConfig& c, Generator& init, TensorOptions opt = {});
  // latents (N, latent_size); labels one-hot (N, num_classes) or undefined. level = log2 of the current
  // resolution (2 = 4x4 … log2(resolution)); alpha in [0,1] blends the new top block with the upsampled
  // previous toRGB (alpha 1 = fully new). Output (N, channels, 2^level, 2^level), linear toRGB output.
  Tensor forward(const Tensor& latents, const Tensor& labels, int level, double alpha);
  const ProganConfig& config() const { return config_; }

 private:
  ProganConfig config_;
  int latent_size_;
  std::shared_ptr<EqualizedLinear> dense_;                                // 4x4.dense
  std::vector<std::vector<std::shared_ptr<EqualizedConv2d>>> blocks_;  // [level]: the block's convs
  std::vector<std::shared_ptr<EqualizedConv2d>> to_rgb_;               // [level]
};

class ProganDiscriminator : public Module {
 public:
  ProganDiscriminator(const ProganConfig& c, Generator& init, TensorOptions opt = {});
  // images (N, channels, 2^level, 2^level) → (N, 1 + num_classes): score, then class logits.
  Tensor forward(const Tensor& images, int level, double alpha);
  const ProganConfig& config() const { return config_; }

 private:
  ProganConfig config_;
  std::vector<std::shared_ptr<EqualizedConv2d>> from_rgb_;             // [level]
  std::vector<std::vector<std::shared_ptr<EqualizedConv2d>>> blocks_;  // [level]: the block's convs
  std::shared_ptr<EqualizedLinear> dense0_, dense1_;                  // 4x4.dense0, 4x4.dense1
};

}  // namespace gg::nets

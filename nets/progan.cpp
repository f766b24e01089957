#include "nets/progan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gg::nets {

namespace {

[[noreturn]] void fail(const char* where, const std::string& message) {
  throw std::invalid_argument(std::string(where) + ": " + message);
}

// Checks the configuration and returns log2(resolution), the top level.
int top_level(const ProganConfig& c) {
  int top = 3;
  while (top <= 10 && (1 << top) != c.resolution) ++top;
  if (top > 10) fail("ProganConfig", "resolution " + std::to_string(c.resolution) + " must be a power of two in [8, 1024]");
  if (c.channels != 1 && c.channels != 3) fail("ProganConfig", "channels must be 1 or 3, got " + std::to_string(c.channels));
  if (c.latent_size < 0 || c.num_classes < 0) fail("ProganConfig", "latent_size and num_classes must be >= 0");
  if (c.fmap_base < 1 || c.fmap_max < 1 || progan_features(c, top - 1) < 1)
    fail("ProganConfig", "fmap_base " + std::to_string(c.fmap_base) + " and fmap_max " + std::to_string(c.fmap_max) +
                             " leave no feature maps at resolution " + std::to_string(c.resolution));
  return top;
}

void check_level(const char* where, int level, int top, double alpha) {
  if (level < 2 || level > top)
    fail(where, "level " + std::to_string(level) + " is outside [2, " + std::to_string(top) + "] (4x4 to the final resolution)");
  if (!(alpha >= 0 && alpha <= 1)) fail(where, "alpha " + std::to_string(alpha) + " is outside [0, 1]");
}

std::string resolution_name(int level) { return std::to_string(1 << level) + "x" + std::to_string(1 << level); }
std::string lod_name(const char* what, int top, int level) { return what + std::to_string(top - level); }

constexpr EqualizedOptions kActivated{.leaky_relu = true};

}  // namespace

int progan_features(const ProganConfig& c, int stage) { return std::min(c.fmap_base >> stage, c.fmap_max); }

EqualizedConv2d::EqualizedConv2d(std::int64_t in, std::int64_t out, int kernel, EqualizedOptions o, Generator& init,
                                 TensorOptions opt)
    : options(o) {
  weight = register_parameter("weight", Tensor::randn({out, in, kernel, kernel}, init, opt));
  bias = register_parameter("bias", Tensor::zeros({out}, opt));
}

EqualizedLinear::EqualizedLinear(std::int64_t in, std::int64_t out, std::int64_t bias_size, EqualizedOptions o,
                                 Generator& init, TensorOptions opt)
    : options(o) {
  weight = register_parameter("weight", Tensor::randn({out, in}, init, opt));
  bias = register_parameter("bias", Tensor::zeros({bias_size}, opt));
}

// ---- Generator ----

ProganGenerator::ProganGenerator(const ProganConfig& c, Generator& init, TensorOptions opt) : config_(c) {
  const int top = top_level(c);
  auto nf = [&](int stage) { return progan_features(c, stage); };
  auto conv = [&](const std::string& name, int in, int out, int kernel, EqualizedOptions o) {
    return register_module(name, std::make_shared<EqualizedConv2d>(in, out, kernel, o, init, opt));
  };
  latent_size_ = c.latent_size > 0 ? c.latent_size : nf(0);
  blocks_.resize(static_cast<std::size_t>(top + 1));
  to_rgb_.resize(static_cast<std::size_t>(top + 1));
  // Registered in the official creation order: block 4x4, its toRGB, block 8x8, its toRGB...
  for (int level = 2; level <= top; ++level) {
    const std::string res = resolution_name(level);
    auto& block = blocks_[static_cast<std::size_t>(level)];
    if (level == 2) {
      // gain sqrt(2)/4 and one bias per channel of the reshaped (N, nf(1), 4, 4) output, as the official code.
      dense_ = register_module(res + ".dense", std::make_shared<EqualizedLinear>(
                                                   latent_size_ + c.num_classes, 16 * nf(1), nf(1),
                                                   EqualizedOptions{.gain = std::numbers::sqrt2 / 4, .leaky_relu = true},
                                                   init, opt));
      block = {conv(res + ".conv", nf(1), nf(1), 3, kActivated)};
    } else {
      block = {conv(res + ".conv0_up", nf(level - 2), nf(level - 1), 3, {.leaky_relu = true, .upscale = true}),
               conv(res + ".conv1", nf(level - 1), nf(level - 1), 3, kActivated)};
    }
    to_rgb_[static_cast<std::size_t>(level)] = conv(lod_name("torgb_lod", top, level), nf(level - 1), c.channels, 1, {.gain = 1});
  }
}

Tensor ProganGenerator::forward(const Tensor& latents, const Tensor& labels, int level, double alpha) {
  const char* where = "ProganGenerator::forward";
  check_level(where, level, static_cast<int>(to_rgb_.size()) - 1, alpha);
  if (!latents.defined() || latents.dim() != 2 || latents.size(1) != latent_size_)
    fail(where, "latents must be (N, " + std::to_string(latent_size_) + ")" +
                    (latents.defined() ? ", got " + shape_str(latents.shape()) : std::string(", got none")));
  const std::int64_t n = latents.size(0);
  Tensor x = latents;
  if (config_.num_classes > 0) {
    if (!labels.defined() || labels.shape() != Shape{n, config_.num_classes})
      fail(where, "a conditional generator needs one-hot labels (" + std::to_string(n) + ", " +
                      std::to_string(config_.num_classes) + ")");
    x = concat({latents, labels}, 1);  // normalized together, as the official code
  } else if (labels.defined()) {
    fail(where, "labels given to an unconditional generator (num_classes is 0)");
  }
  x = pixel_norm(x);
  x = pixel_norm(dense_->forward(x).reshape({n, -1, 4, 4}));
  Tensor previous;  // the features of level - 1, which the faded-out toRGB reads
  for (int l = 2; l <= level; ++l) {
    if (l > 2) previous = x;
    for (const auto& conv : blocks_[static_cast<std::size_t>(l)]) x = pixel_norm(conv->forward(x));
  }
  const Tensor image = to_rgb_[static_cast<std::size_t>(level)]->forward(x);
  if (level == 2 || alpha == 1) return image;
  return fade_in(alpha, upsample_nearest2x(to_rgb_[static_cast<std::size_t>(level - 1)]->forward(previous)), image);
}

// ---- Discriminator ----

ProganDiscriminator::ProganDiscriminator(const ProganConfig& c, Generator& init, TensorOptions opt) : config_(c) {
  const int top = top_level(c);
  auto nf = [&](int stage) { return progan_features(c, stage); };
  auto conv = [&](const std::string& name, int in, int out, int kernel, EqualizedOptions o) {
    return register_module(name, std::make_shared<EqualizedConv2d>(in, out, kernel, o, init, opt));
  };
  auto linear = [&](const std::string& name, int in, int out, EqualizedOptions o) {
    return register_module(name, std::make_shared<EqualizedLinear>(in, out, out, o, init, opt));
  };
  from_rgb_.resize(static_cast<std::size_t>(top + 1));
  blocks_.resize(static_cast<std::size_t>(top + 1));
  auto from_rgb = [&](int level) {
    from_rgb_[static_cast<std::size_t>(level)] = conv(lod_name("fromrgb_lod", top, level), c.channels, nf(level - 1), 1, kActivated);
  };
  // Official creation order: fromRGB at the top, then each block followed by the fromRGB below it.
  from_rgb(top);
  for (int level = top; level >= 3; --level) {
    const std::string res = resolution_name(level);
    blocks_[static_cast<std::size_t>(level)] = {
        conv(res + ".conv0", nf(level - 1), nf(level - 1), 3, kActivated),
        conv(res + ".conv1_down", nf(level - 1), nf(level - 2), 3, {.leaky_relu = true, .downscale = true})};
    from_rgb(level - 1);
  }
  const int stddev_channel = c.mbstd_group_size > 1 ? 1 : 0;
  blocks_[2] = {conv("4x4.conv", nf(1) + stddev_channel, nf(1), 3, kActivated)};
  dense0_ = linear("4x4.dense0", 16 * nf(1), nf(0), kActivated);
  dense1_ = linear("4x4.dense1", nf(0), 1 + c.num_classes, {.gain = 1});
}

Tensor ProganDiscriminator::forward(const Tensor& images, int level, double alpha) {
  const char* where = "ProganDiscriminator::forward";
  check_level(where, level, static_cast<int>(from_rgb_.size()) - 1, alpha);
  const std::int64_t size = std::int64_t{1} << level;
  if (!images.defined() || images.dim() != 4 || images.size(1) != config_.channels || images.size(2) != size ||
      images.size(3) != size)
    fail(where, "images must be (N, " + std::to_string(config_.channels) + ", " + std::to_string(size) + ", " +
                    std::to_string(size) + ") at level " + std::to_string(level) +
                    (images.defined() ? ", got " + shape_str(images.shape()) : std::string(", got none")));
  auto run = [&](Tensor x, int l) {
    for (const auto& conv : blocks_[static_cast<std::size_t>(l)]) x = conv->forward(x);
    return x;
  };
  Tensor x = from_rgb_[static_cast<std::size_t>(level)]->forward(images);
  if (level > 2) {
    x = run(x, level);
    if (alpha < 1) x = fade_in(alpha, from_rgb_[static_cast<std::size_t>(level - 1)]->forward(avg_pool2x2(images)), x);
  }
  for (int l = level - 1; l >= 3; --l) x = run(x, l);
  if (config_.mbstd_group_size > 1) x = minibatch_stddev(x, config_.mbstd_group_size);
  x = run(x, 2);
  return dense1_->forward(dense0_->forward(x.flatten(1)));
}

}  // namespace gg::nets

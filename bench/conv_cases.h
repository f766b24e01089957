#pragma once
// The convolutions both conv2d benchmarks (CPU and CUDA) measure: ProGAN's shapes at batch 16,
// 3x3 stride 1 pad 1, the discriminator's fused downscale (4x4, stride 2, pad 1) and the 1x1
// toRGB / fromRGB layers, each pass alone and a whole forward + backward step.
#include <array>
#include <string>

#include "engine/backend.h"

namespace gg::bench {

enum ConvPass : int { kForward, kBackwardInput, kBackwardWeight, kForwardBackward };
inline constexpr std::array<ConvPass, 4> kConvPasses = {kForward, kBackwardInput, kBackwardWeight, kForwardBackward};

// The three kinds of convolution in ProGAN's networks.
enum class ConvKind { k3x3, kDown4x4s2, kPointwise };

struct ConvCase {
  std::int64_t cin, cout, size;
  ConvKind kind;  // 3x3 stride 1 pad 1, D's conv1_down (4x4 stride 2 pad 1), or toRGB/fromRGB (1x1)

  ConvGeometry geometry(std::int64_t batch) const {
    switch (kind) {
      case ConvKind::kDown4x4s2: return make_conv_geometry(batch, cin, size, size, cout, 4, 4, 2, 1);
      case ConvKind::kPointwise: return make_conv_geometry(batch, cin, size, size, cout, 1, 1, 1, 0);
      case ConvKind::k3x3: break;
    }
    return make_conv_geometry(batch, cin, size, size, cout, 3, 3, 1, 1);
  }
  // E.g. "256->128@32x32/backward_input", "64->128@64x64_4x4s2/forward" or "3->64@64x64_1x1/forward":
  // the benchmark's name, so results compare by it across runs (glitchgan bench-compare).
  std::string name(ConvPass pass) const {
    static const char* names[] = {"forward", "backward_input", "backward_weight", "forward+backward"};
    static const char* suffix[] = {"/", "_4x4s2/", "_1x1/"};
    return std::to_string(cin) + "->" + std::to_string(cout) + "@" + std::to_string(size) + "x" +
           std::to_string(size) + suffix[static_cast<int>(kind)] + names[pass];
  }
};

inline constexpr std::int64_t kConvBatch = 16;
// 3x3 at fmap_base 8192 / fmap_max 256 shapes; the downscales at fmap_base 2048, fmap_max 256; and
// the 3-channel toRGB / fromRGB at 64x64.
inline constexpr std::array<ConvCase, 9> kProganConvs = {{{256, 256, 8, ConvKind::k3x3},
                                                          {256, 256, 16, ConvKind::k3x3},
                                                          {256, 128, 32, ConvKind::k3x3},
                                                          {128, 128, 32, ConvKind::k3x3},
                                                          {64, 64, 64, ConvKind::k3x3},
                                                          {64, 128, 64, ConvKind::kDown4x4s2},
                                                          {128, 256, 32, ConvKind::kDown4x4s2},
                                                          {3, 64, 64, ConvKind::kPointwise},
                                                          {64, 3, 64, ConvKind::kPointwise}}};

// Runs `pass` on the backend; y, gx and gw receive the results.
inline void run_conv_pass(Backend& be, ConvPass pass, const ConvGeometry& g, const Tensor& x, const Tensor& w,
                          const Tensor& gy, const Tensor& y, const Tensor& gx, const Tensor& gw) {
  if (pass == kForward || pass == kForwardBackward) be.conv2d_forward(x, w, y, g);
  if (pass == kBackwardInput || pass == kForwardBackward) be.conv2d_backward_input(gy, w, gx, g);
  if (pass == kBackwardWeight || pass == kForwardBackward) be.conv2d_backward_weight(x, gy, gw, g);
}

inline double conv_pass_flops(const ConvGeometry& g, ConvPass pass) {
  return g.flops() * (pass == kForwardBackward ? 3 : 1);
}

}  // namespace gg::bench

#pragma once
// The convolutions both conv2d benchmarks (CPU and CUDA) measure: ProGAN's shapes at batch 16,
// 3x3 stride 1 pad 1, and the discriminator's fused downscale (4x4, stride 2, pad 1), each pass
// alone and a whole forward + backward step.
#include <array>
#include <string>

#include "engine/backend.h"

namespace gg::bench {

enum ConvPass : int { kForward, kBackwardInput, kBackwardWeight, kForwardBackward };
inline constexpr std::array<ConvPass, 4> kConvPasses = {kForward, kBackwardInput, kBackwardWeight, kForwardBackward};

struct ConvCase {
  std::int64_t cin, cout, size;
  bool downscale;  // 4x4 stride 2 (D's conv1_down) instead of 3x3 stride 1

  ConvGeometry geometry(std::int64_t batch) const {
    const int kernel = downscale ? 4 : 3;
    return make_conv_geometry(batch, cin, size, size, cout, kernel, kernel, downscale ? 2 : 1, 1);
  }
  // E.g. "256->128@32x32/backward_input" or "64->128@64x64_4x4s2/forward": the benchmark's name,
  // so results compare by it across runs (glitchgan bench-compare).
  std::string name(ConvPass pass) const {
    static const char* names[] = {"forward", "backward_input", "backward_weight", "forward+backward"};
    return std::to_string(cin) + "->" + std::to_string(cout) + "@" + std::to_string(size) + "x" +
           std::to_string(size) + (downscale ? "_4x4s2/" : "/") + names[pass];
  }
};

inline constexpr std::int64_t kConvBatch = 16;
// 3x3 at fmap_base 8192 / fmap_max 256 shapes; the downscales at fmap_base 2048, fmap_max 256.
inline constexpr std::array<ConvCase, 7> kProganConvs = {{{256, 256, 8, false},
                                                          {256, 256, 16, false},
                                                          {256, 128, 32, false},
                                                          {128, 128, 32, false},
                                                          {64, 64, 64, false},
                                                          {64, 128, 64, true},
                                                          {128, 256, 32, true}}};

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

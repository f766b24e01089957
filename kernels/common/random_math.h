#pragma once
// Element i of the uniform, normal and dropout streams (see kernels/common/philox.h for the
// exact definition), shared by the CPU loops and the CUDA kernels.
#include <cmath>

#include "kernels/common/fma_rn.h"
#include "kernels/common/host_device.h"
#include "kernels/common/philox.h"

namespace gg::philox {

// Values 2j and 2j+1 of the standard normal stream, from words 2j and 2j+1 (same block).
GG_HD void normal_pair(std::uint64_t seed, std::uint64_t offset, std::uint64_t j, double& z0, double& z1) {
  const Block b = block_at(seed, offset + j / 2);
  const std::uint32_t w0 = b.v[(2 * j) % 4], w1 = b.v[(2 * j + 1) % 4];
  const double u1 = (static_cast<double>(w0 >> 8) + 1.0) * (1.0 / 16777216.0);
  const double u2 = static_cast<double>(w1 >> 8) * (1.0 / 16777216.0);
  const double r = std::sqrt(-2.0 * std::log(u1));
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  z0 = r * std::cos(kTwoPi * u2);
  z1 = r * std::sin(kTwoPi * u2);
}

// Element values scaled as the fills ask, with one rounding on both backends (see fma_rn.h).
GG_HD double uniform_in(std::uint32_t w, double lo, double hi) { return fma_rn(hi - lo, uniform(w), lo); }
GG_HD double scaled_normal(double z, double mean, double stddev) { return fma_rn(stddev, z, mean); }

// Dropout keeps element i when its uniform is >= p, scaled by 1 / (1 - p).
GG_HD double dropout_value(std::uint32_t w, double p) { return uniform(w) >= p ? 1.0 / (1.0 - p) : 0.0; }

}  // namespace gg::philox

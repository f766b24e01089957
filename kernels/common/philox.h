#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator behind every random number in glitchgan, on the CPU and on CUDA.
//
// The stream for (seed, offset), precisely:
//   key     = (k0, k1) = (low 32 bits of seed, high 32 bits of seed)
//   word n  = output word (n mod 4) of Philox4x32-10(key, counter), where
//             counter = (c0, c1, c2, c3) = (low 32 bits of b, high 32 bits of b, 0, 0),
//             b = offset + floor(n / 4)     (so `offset` counts 128-bit blocks)
//   uniform element i  = (word i >> 8) * 2^-24                       in [0, 1), exact in float
//   normal elements 2j and 2j+1 (Box-Muller on words 2j and 2j+1), computed in double:
//             u1 = ((word 2j >> 8) + 1) * 2^-24                      in (0, 1]
//             u2 = (word 2j+1 >> 8) * 2^-24
//             r  = sqrt(-2 ln u1), z(2j) = r cos(2 pi u2), z(2j+1) = r sin(2 pi u2)
//   A request for n values consumes ceil(n / 4) blocks; generators advance `offset` by that.
// Uniform streams are bit-identical on every backend; normal streams are rounded from double
// and agree across backends to the last bit except where a libm differs by one ulp in double.
// Each Philox round: (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2,
//   c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0); then the key is bumped by the Weyl constants.
#include <cstdint>

#include "kernels/common/host_device.h"

namespace gg::philox {

struct Block {
  std::uint32_t v[4];
};

GG_HD void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

// The raw bijection: ten rounds on a 4-word counter under a 2-word key.
GG_HD Block philox4x32_10(Block c, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kM0, c.v[0], hi0, lo0);
    mulhilo(kM1, c.v[2], hi1, lo1);
    c = Block{{hi1 ^ c.v[1] ^ k0, lo1, hi0 ^ c.v[3] ^ k1, lo0}};
    k0 += kW0;
    k1 += kW1;
  }
  return c;
}

// Block `block` of the stream keyed by `seed`.
GG_HD Block block_at(std::uint64_t seed, std::uint64_t block) {
  const Block c{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), 0, 0}};
  return philox4x32_10(c, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// Word n of the stream (seed, offset).
GG_HD std::uint32_t word(std::uint64_t seed, std::uint64_t offset, std::uint64_t n) {
  return block_at(seed, offset + n / 4).v[n % 4];
}

GG_HD double uniform(std::uint32_t w) { return static_cast<double>(w >> 8) * (1.0 / 16777216.0); }

// Number of 128-bit blocks a request for n values consumes.
GG_HD std::uint64_t blocks_for(std::uint64_t n) { return (n + 3) / 4; }

}  // namespace gg::philox

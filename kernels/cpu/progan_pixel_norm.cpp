// Pixel norm over the channels of (outer, C, inner): each output reads C values strided by
// `inner`. Work is cut into tiles of `tile` neighbouring positions so the inner loops run over
// contiguous memory (and vectorise), and a tile's C x tile block is still in cache when the second
// pass reads it again. Sums are taken in double, as in the engine's reductions; the per-element
// math is kernels/common/progan_math.h, shared with the CUDA kernels.
//
// Where a convolution left the operands in oneDNN's channel-blocked layout (kernels/cpu/blocked_layout.h,
// G's every pixel norm but the latent's), the kernels read and write that layout, so the
// convolutions around them skip their reorders: each position's channels are still added one by
// one in channel order (block by block, lane by lane), so the sums and results are the same bits.
#include <algorithm>

#include "kernels/common/progan_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

namespace {

constexpr std::int64_t kMaxTile = 1024;
// The C x tile block that the second pass reads again stays in L2; rows of a few hundred
// positions keep the hardware prefetchers streaming.
constexpr std::int64_t kTileBytes = 256 << 10;

struct Tiling {
  std::int64_t outer, c, inner, tile, tiles_per_block;
};

Tiling tiling_for(const Tensor& x, std::size_t elem) {
  const std::int64_t outer = x.size(0), c = x.size(1), inner = x.numel() / (outer * c);
  const std::int64_t by_cache = kTileBytes / (c * static_cast<std::int64_t>(elem));
  const std::int64_t tile = std::clamp<std::int64_t>(by_cache, 8, kMaxTile);
  const std::int64_t t = std::min(tile, inner);
  return {outer, c, inner, t, (inner + t - 1) / t};
}

// Calls body(block_offset, i0, len) for every tile, in parallel.
template <typename F>
void for_each_tile(const Tiling& t, F&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / (t.c * t.tile));
  cpu::parallel_for(t.outer * t.tiles_per_block, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t task = b; task < e; ++task) {
      const std::int64_t o = task / t.tiles_per_block, i0 = (task % t.tiles_per_block) * t.tile;
      body(o * t.c * t.inner + i0, std::min(t.tile, t.inner - i0));
    }
  });
}

template <typename T>
void forward(const T* x, T* y, const Tiling& t, double eps) {
  const auto c = static_cast<double>(t.c);
  for_each_tile(t, [&](std::int64_t base, std::int64_t len) {
    double r[kMaxTile] = {};
    for (std::int64_t ch = 0; ch < t.c; ++ch) {
      const T* row = x + base + ch * t.inner;
      for (std::int64_t i = 0; i < len; ++i) r[i] = add_square(r[i], static_cast<double>(row[i]));
    }
    for (std::int64_t i = 0; i < len; ++i) r[i] = pixel_norm_rsqrt(r[i], c, eps);
    for (std::int64_t ch = 0; ch < t.c; ++ch) {
      const T* in = x + base + ch * t.inner;
      T* out = y + base + ch * t.inner;
      for (std::int64_t i = 0; i < len; ++i) out[i] = pixel_norm_value(in[i], r[i]);
    }
  });
}

// gx = r g - x k with k = r^3 mean_c(g x): the derivative of x r through r = (mean_c x^2 + eps)^(-1/2).
template <typename T>
void backward(const T* x, const T* g, T* gx, const Tiling& t, double eps) {
  const auto c = static_cast<double>(t.c);
  for_each_tile(t, [&](std::int64_t base, std::int64_t len) {
    double r[kMaxTile] = {}, k[kMaxTile] = {};
    for (std::int64_t ch = 0; ch < t.c; ++ch) {
      const T* xr = x + base + ch * t.inner;
      const T* gr = g + base + ch * t.inner;
      for (std::int64_t i = 0; i < len; ++i) {
        const double xv = static_cast<double>(xr[i]);
        r[i] = add_square(r[i], xv);
        k[i] = add_product(k[i], xv, static_cast<double>(gr[i]));
      }
    }
    for (std::int64_t i = 0; i < len; ++i) {
      r[i] = pixel_norm_rsqrt(r[i], c, eps);
      k[i] = pixel_norm_grad_coef(r[i], k[i], c);
    }
    for (std::int64_t ch = 0; ch < t.c; ++ch) {
      const T* xr = x + base + ch * t.inner;
      const T* gr = g + base + ch * t.inner;
      T* out = gx + base + ch * t.inner;
      for (std::int64_t i = 0; i < len; ++i) out[i] = pixel_norm_grad(xr[i], gr[i], r[i], k[i]);
    }
  });
}

// ---- on (N, C / Block, HW, Block) ----

// Positions per task: a tile's Block x tile floats of one channel block stay in L1 between the
// sums and the second pass.
constexpr std::int64_t kBlockedTile = 64;

// Calls body(sample, first position, positions) for every tile of positions, in parallel.
template <class F>
void for_each_blocked_tile(const cpu::ChannelBlocked& x, F&& body) {
  const std::int64_t tiles = (x.hw + kBlockedTile - 1) / kBlockedTile;
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / (x.c * kBlockedTile));
  cpu::parallel_for(x.n * tiles, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t task = b; task < e; ++task) {
      const std::int64_t i0 = (task % tiles) * kBlockedTile;
      body(task / tiles, i0, std::min(kBlockedTile, x.hw - i0));
    }
  });
}

// Channel ch = block * Block + lane of position i of sample n sits at
// offset(n, block) + i * Block + lane.
template <int Block>
std::int64_t block_offset(const cpu::ChannelBlocked& x, std::int64_t n, std::int64_t block) {
  return (n * (x.c / Block) + block) * x.hw * Block;
}

template <int Block>
void forward_blocked(const cpu::ChannelBlocked& x, const cpu::ChannelBlocked& y, double eps) {
  const auto c = static_cast<double>(x.c);
  for_each_blocked_tile(x, [&](std::int64_t n, std::int64_t i0, std::int64_t len) {
    double r[kBlockedTile] = {};
    for (std::int64_t b = 0; b < x.c / Block; ++b) {
      const float* in = x.data + block_offset<Block>(x, n, b) + i0 * Block;
      for (int l = 0; l < Block; ++l)
        for (std::int64_t i = 0; i < len; ++i) r[i] = add_square(r[i], static_cast<double>(in[i * Block + l]));
    }
    for (std::int64_t i = 0; i < len; ++i) r[i] = pixel_norm_rsqrt(r[i], c, eps);
    for (std::int64_t b = 0; b < x.c / Block; ++b) {
      const std::int64_t at = block_offset<Block>(x, n, b) + i0 * Block;
      const float* in = x.data + at;
      float* out = y.data + at;
      for (std::int64_t i = 0; i < len; ++i)
        for (int l = 0; l < Block; ++l) out[i * Block + l] = pixel_norm_value(in[i * Block + l], r[i]);
    }
  });
}

template <int Block>
void backward_blocked(const cpu::ChannelBlocked& x, const cpu::ChannelBlocked& g, const cpu::ChannelBlocked& gx,
                      double eps) {
  const auto c = static_cast<double>(x.c);
  for_each_blocked_tile(x, [&](std::int64_t n, std::int64_t i0, std::int64_t len) {
    double r[kBlockedTile] = {}, k[kBlockedTile] = {};
    for (std::int64_t b = 0; b < x.c / Block; ++b) {
      const std::int64_t at = block_offset<Block>(x, n, b) + i0 * Block;
      const float *xb = x.data + at, *gb = g.data + at;
      for (int l = 0; l < Block; ++l)
        for (std::int64_t i = 0; i < len; ++i) {
          const double xv = static_cast<double>(xb[i * Block + l]);
          r[i] = add_square(r[i], xv);
          k[i] = add_product(k[i], xv, static_cast<double>(gb[i * Block + l]));
        }
    }
    for (std::int64_t i = 0; i < len; ++i) {
      r[i] = pixel_norm_rsqrt(r[i], c, eps);
      k[i] = pixel_norm_grad_coef(r[i], k[i], c);
    }
    for (std::int64_t b = 0; b < x.c / Block; ++b) {
      const std::int64_t at = block_offset<Block>(x, n, b) + i0 * Block;
      const float *xb = x.data + at, *gb = g.data + at;
      float* out = gx.data + at;
      for (std::int64_t i = 0; i < len; ++i)
        for (int l = 0; l < Block; ++l)
          out[i * Block + l] = pixel_norm_grad(xb[i * Block + l], gb[i * Block + l], r[i], k[i]);
    }
  });
}

}  // namespace

void CpuProganKernels::pixel_norm_forward(const Tensor& x, const Tensor& y, double eps) {
  if (const auto bx = cpu::channel_blocked(x)) {
    const cpu::ChannelBlocked by = cpu::write_blocked_like(y, x);
    return cpu::with_block(bx->block, [&](auto block) { forward_blocked<block>(*bx, by, eps); });
  }
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward(x.data<T>(), y.data<T>(), tiling_for(x, sizeof(T)), eps);
  });
}

void CpuProganKernels::pixel_norm_backward(const Tensor& x, const Tensor& g, const Tensor& gx, double eps) {
  const auto bx = cpu::channel_blocked(x), bg = cpu::channel_blocked(g);
  if (bx && bg && cpu::same_layout(*bx, *bg)) {
    const cpu::ChannelBlocked out = cpu::write_blocked_like(gx, x);
    return cpu::with_block(bx->block, [&](auto block) { backward_blocked<block>(*bx, *bg, out, eps); });
  }
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward(x.data<T>(), g.data<T>(), gx.data<T>(), tiling_for(x, sizeof(T)), eps);
  });
}

}  // namespace gg

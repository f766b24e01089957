// 2x nearest upsampling, 2x2 average and max pooling on NCHW, and max pooling's backward. Max
// pooling and its backward also run on oneDNN's channel-blocked layout where a convolution left
// their input in it (kernels/cpu/blocked_layout.h), writing their outputs (and the mask) blocked
// too, so the convolutions around them skip their reorders: one body serves both layouts, a
// plain plane being a block of one channel, so the same bits.
#include <algorithm>

#include "kernels/common/pool_math.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

// Calls f(plane) for each of the N*C planes, in parallel.
template <typename F>
void for_each_plane(const Tensor& x, std::int64_t plane_elems, F&& f) {
  const std::int64_t planes = x.size(0) * x.size(1);
  cpu::parallel_for(planes, std::max<std::int64_t>(1, cpu::kElementwiseGrain / plane_elems), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) f(i);
  });
}

// The window's mask (1 at the element max_pool_pick picks, 0 elsewhere) into its top row m0[0..1]
// and bottom row m1[0..1], with max_pool_pick's comparisons but without branches: the picks of
// real data are random, and mispredicted branches cost more than the comparisons.
template <typename T>
void write_max_pool_mask(T a, T b, T c, T d, T* m0, T* m1) {
  const T top = std::max(a, b), bottom = std::max(c, d);
  const int in_top = top >= bottom, left_top = a >= b, left_bottom = c >= d;
  m0[0] = static_cast<T>(in_top & left_top);
  m0[1] = static_cast<T>(in_top & (1 - left_top));
  m1[0] = static_cast<T>((1 - in_top) & left_bottom);
  m1[1] = static_cast<T>((1 - in_top) & (1 - left_bottom));
}

// Max pooling on NCHW (Block 1) or (N, C / Block, H, W, Block), `planes` planes (of Block channels
// each) of h x w, one output row of one plane per task; the mask, when asked for (else null), in
// x's layout.
template <int Block, typename T>
void max_pool(const T* x, T* y, T* mask, std::int64_t planes, std::int64_t h, std::int64_t w) {
  const std::int64_t ho = h / 2, wo = w / 2;
  cpu::parallel_for(planes * ho, std::max<std::int64_t>(1, cpu::kElementwiseGrain / (2 * w * Block)),
                    [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t task = b; task < e; ++task) {
      const std::int64_t i = task % ho, plane = task / ho;  // output row i of the plane
      const std::int64_t top = (plane * h + 2 * i) * w * Block, bottom = top + w * Block;
      const T *r0 = x + top, *r1 = x + bottom;
      T* out = y + (plane * ho + i) * wo * Block;
      for (std::int64_t j = 0; j < wo; ++j)
        for (int l = 0; l < Block; ++l) {
          const std::int64_t left = 2 * j * Block + l, right = left + Block;
          out[j * Block + l] = max_pool_value(r0[left], r0[right], r1[left], r1[right]);
        }
      if (mask == nullptr) continue;
      T *m0 = mask + top, *m1 = mask + bottom;
      for (std::int64_t j = 0; j < wo; ++j)
        for (int l = 0; l < Block; ++l) {
          const std::int64_t left = 2 * j * Block + l, right = left + Block;
          T pick[4];
          write_max_pool_mask(r0[left], r0[right], r1[left], r1[right], pick, pick + 2);
          m0[left] = pick[0];
          m0[right] = pick[1];
          m1[left] = pick[2];
          m1[right] = pick[3];
        }
    }
  });
}

// gx = g upsampled times the mask, on NCHW (Block 1) or (N, C / Block, H, W, Block), `planes` planes
// (of Block channels each) of h rows: row r of a plane of gx reads row r / 2 of g's.
template <int Block, typename T>
void unpool_masked(const T* g, const T* mask, T* gx, std::int64_t planes, std::int64_t h, std::int64_t w) {
  const std::int64_t ho = h / 2, wo = w / 2, row = w * Block;
  cpu::parallel_for(planes * h, std::max<std::int64_t>(1, cpu::kElementwiseGrain / row), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) {
      const T* __restrict in = g + ((r / h) * ho + (r % h) / 2) * wo * Block;
      const T* __restrict m = mask + r * row;
      T* __restrict out = gx + r * row;
      for (std::int64_t j = 0; j < w; ++j)
        for (int l = 0; l < Block; ++l) out[j * Block + l] = in[(j / 2) * Block + l] * m[j * Block + l];
    }
  });
}

}  // namespace

void CpuBackend::upsample_nearest2x(const Tensor& x, const Tensor& y) {
  const std::int64_t h = x.size(2), w = x.size(3);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for_each_plane(x, 4 * h * w, [&](std::int64_t plane) {
      const T* src = px + plane * h * w;
      T* dst = py + plane * 4 * h * w;
      for (std::int64_t i = 0; i < h; ++i) {
        T* row = dst + 2 * i * 2 * w;
        for (std::int64_t j = 0; j < w; ++j) row[2 * j] = row[2 * j + 1] = src[i * w + j];
        std::copy(row, row + 2 * w, row + 2 * w);
      }
    });
  });
}

void CpuBackend::avg_pool2x2(const Tensor& x, const Tensor& y) {
  const std::int64_t h = x.size(2), w = x.size(3), ho = h / 2, wo = w / 2;
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for_each_plane(x, h * w, [&](std::int64_t plane) {
      const T* src = px + plane * h * w;
      T* dst = py + plane * ho * wo;
      for (std::int64_t i = 0; i < ho; ++i) {
        const T* r0 = src + 2 * i * w;
        const T* r1 = r0 + w;
        for (std::int64_t j = 0; j < wo; ++j)
          dst[i * wo + j] = ((r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1])) * T(0.25);
      }
    });
  });
}

void CpuBackend::max_pool2x2(const Tensor& x, const Tensor& y, const Tensor& mask) {
  const std::int64_t h = x.size(2), w = x.size(3);
  if (const auto bx = cpu::channel_blocked(x)) {
    const cpu::ChannelBlocked by = cpu::write_blocked(y, bx->block);
    float* pm = mask.defined() ? cpu::write_blocked_like(mask, x).data : nullptr;
    const std::int64_t planes = bx->n * (bx->c / bx->block);
    return cpu::with_block(bx->block, [&](auto block) { max_pool<block>(bx->data, by.data, pm, planes, h, w); });
  }
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    max_pool<1>(x.data<T>(), y.data<T>(), mask.defined() ? mask.data<T>() : nullptr, x.size(0) * x.size(1), h, w);
  });
}

void CpuBackend::max_pool2x2_backward(const Tensor& g, const Tensor& mask, const Tensor& gx) {
  const std::int64_t h = mask.size(2), w = mask.size(3);
  const auto bg = cpu::channel_blocked(g), bm = cpu::channel_blocked(mask);
  if (bg && bm && bg->block == bm->block) {
    const cpu::ChannelBlocked out = cpu::write_blocked_like(gx, mask);
    const std::int64_t planes = out.n * (out.c / out.block);
    return cpu::with_block(out.block, [&](auto block) { unpool_masked<block>(bg->data, bm->data, out.data, planes, h, w); });
  }
  dispatch_dtype(g.dtype(), [&](auto tag) {
    using T = decltype(tag);
    unpool_masked<1>(g.data<T>(), mask.data<T>(), gx.data<T>(), mask.size(0) * mask.size(1), h, w);
  });
}

}  // namespace gg

#pragma once
// The CUDA kernels of pixel norm and minibatch stddev (kernels/cuda/progan_*.cu) replayed on the
// CPU, one thread after another: the same plan (kernels/common/progan_plan.h), the same shared
// math (kernels/common/progan_math.h), the same order of additions. Tests compare the replays with
// the CPU kernels, which add in another order, on any machine, and with the GPU where there is one.
// Plain loops, written to be read, not to be fast.
#include <cstdint>
#include <vector>

#include "kernels/common/progan_math.h"
#include "kernels/common/progan_plan.h"

namespace gg {

// The pairwise tree of a CUDA block's sum: lane t += lane t + stride for stride = size / 2 ... 1.
inline double replay_block_tree(std::vector<double> lanes) {
  for (std::size_t stride = lanes.size() / 2; stride > 0; stride /= 2)
    for (std::size_t t = 0; t < stride; ++t) lanes[t] += lanes[t + stride];
  return lanes.empty() ? 0.0 : lanes[0];
}

// One position's sum over its channels in the kernel's order: each split's terms added in channel
// order by acc = add(acc, ch), then the splits' sums added in split order, starting from 0.
template <typename Add>
double replay_pixel_norm_sum(const PixelNormPlan& plan, Add&& add) {
  double total = 0;
  for (int s = 0; s < plan.splits; ++s) {
    double acc = 0;
    for (std::int64_t ch = plan.split_begin(s); ch < plan.split_end(s); ++ch) acc = add(acc, ch);
    total += acc;
  }
  return total;
}

template <typename T>
void replay_pixel_norm_forward(const PixelNormPlan& plan, const T* x, T* y, double eps) {
  const auto c = static_cast<double>(plan.channels);
  for (std::int64_t p = 0; p < plan.positions(); ++p) {
    const T* xp = x + plan.base(p);
    const double sum = replay_pixel_norm_sum(plan, [&](double acc, std::int64_t ch) {
      return add_square(acc, static_cast<double>(xp[ch * plan.inner]));
    });
    const double r = pixel_norm_rsqrt(sum, c, eps);
    for (std::int64_t ch = 0; ch < plan.channels; ++ch)
      y[plan.base(p) + ch * plan.inner] = pixel_norm_value(xp[ch * plan.inner], r);
  }
}

template <typename T>
void replay_pixel_norm_backward(const PixelNormPlan& plan, const T* x, const T* g, T* gx, double eps) {
  const auto c = static_cast<double>(plan.channels);
  for (std::int64_t p = 0; p < plan.positions(); ++p) {
    const std::int64_t base = plan.base(p);
    const double squares = replay_pixel_norm_sum(plan, [&](double acc, std::int64_t ch) {
      return add_square(acc, static_cast<double>(x[base + ch * plan.inner]));
    });
    const double dot = replay_pixel_norm_sum(plan, [&](double acc, std::int64_t ch) {
      const std::int64_t i = base + ch * plan.inner;
      return add_product(acc, static_cast<double>(x[i]), static_cast<double>(g[i]));
    });
    const double r = pixel_norm_rsqrt(squares, c, eps);
    const double k = pixel_norm_grad_coef(r, dot, c);
    for (std::int64_t ch = 0; ch < plan.channels; ++ch) {
      const std::int64_t i = base + ch * plan.inner;
      gx[i] = pixel_norm_grad(x[i], g[i], r, k);
    }
  }
}

// x (G M, F) -> y (G M, F + HW).
template <typename T>
void replay_minibatch_stddev_forward(const StddevPlan& plan, const T* x, T* y) {
  const std::int64_t n = plan.group * plan.members;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t f = 0; f < plan.features; ++f) y[i * plan.y_sample() + f] = x[i * plan.features + f];
  for (std::int64_t m = 0; m < plan.members; ++m) {
    double sum = 0;
    for (std::int64_t chunk = 0; chunk < plan.chunks; ++chunk) {
      std::vector<double> lanes(kStddevThreads, 0.0);
      for (int t = 0; t < kStddevThreads; ++t)
        for (std::int64_t f = chunk * kStddevChunk + t; f < plan.chunk_end(chunk); f += kStddevThreads) {
          double mean, sd;
          group_stats(x + m * plan.features + f, plan.group, plan.members * plan.features, mean, sd);
          lanes[static_cast<std::size_t>(t)] += sd;
        }
      sum += replay_block_tree(std::move(lanes));
    }
    const T value = stddev_channel_value<T>(sum, plan.features);
    for (std::int64_t g = 0; g < plan.group; ++g)
      for (std::int64_t px = 0; px < plan.plane; ++px)
        y[(g * plan.members + m) * plan.y_sample() + plan.features + px] = value;
  }
}

// gy (G M, F + HW) -> gx (G M, F).
template <typename T>
void replay_minibatch_stddev_backward(const StddevPlan& plan, const T* x, const T* gy, T* gx) {
  for (std::int64_t m = 0; m < plan.members; ++m) {
    std::vector<double> lanes(kStddevThreads, 0.0);
    for (int t = 0; t < kStddevThreads; ++t)
      for (std::int64_t j = t; j < plan.group * plan.plane; j += kStddevThreads) {
        const std::int64_t g = j / plan.plane, px = j % plan.plane;
        lanes[static_cast<std::size_t>(t)] +=
            static_cast<double>(gy[(g * plan.members + m) * plan.y_sample() + plan.features + px]);
      }
    const double coef = stddev_grad_coef(replay_block_tree(std::move(lanes)), plan.features, plan.group);
    for (std::int64_t f = 0; f < plan.features; ++f) {
      double mean, sd;
      group_stats(x + m * plan.features + f, plan.group, plan.members * plan.features, mean, sd);
      const double factor = coef / sd;
      for (std::int64_t g = 0; g < plan.group; ++g) {
        const std::int64_t n = g * plan.members + m;
        gx[n * plan.features + f] = stddev_input_grad(gy[n * plan.y_sample() + f], x[n * plan.features + f], mean, factor);
      }
    }
  }
}

}  // namespace gg

// Minibatch standard deviation. x (N, C, H, W) is read as (G, M, F): group g, member m, feature f
// (F = C*H*W), so the G samples of group m are m, m+M, m+2M... as in the official code. Features
// are cut into fixed chunks; each (m, chunk) task works on its own and writes its share of the
// std sum to its own slot, and the slots are added in order afterwards, so results do not depend
// on the thread count. The per-element math is kernels/common/progan_math.h, shared with the CUDA
// kernels.
#include <algorithm>
#include <vector>

#include "kernels/common/progan_math.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/progan_kernels.h"

namespace gg {

namespace {

constexpr std::int64_t kChunk = 512;

struct Groups {
  std::int64_t g, m, f, hw, chunks;
};

Groups groups_for(const Tensor& x, int group) {
  const std::int64_t n = x.size(0), f = x.numel() / n;
  return {group, n / group, f, x.size(2) * x.size(3), (f + kChunk - 1) / kChunk};
}

// For features [f0, f0 + len) of group m: mean and std over the group's samples, the steps of
// group_stats (kernels/common/progan_math.h) run over the chunk at once so they vectorise.
template <typename T>
void chunk_stats(const T* x, const Groups& gr, std::int64_t m, std::int64_t f0, std::int64_t len, double* mean,
                 double* sd) {
  std::fill(mean, mean + len, 0.0);
  std::fill(sd, sd + len, 0.0);
  for (std::int64_t g = 0; g < gr.g; ++g) {
    const T* row = x + (g * gr.m + m) * gr.f + f0;
    for (std::int64_t i = 0; i < len; ++i) mean[i] += static_cast<double>(row[i]);
  }
  for (std::int64_t i = 0; i < len; ++i) mean[i] = group_mean(mean[i], gr.g);
  const double inv_g = 1.0 / static_cast<double>(gr.g);
  for (std::int64_t g = 0; g < gr.g; ++g) {
    const T* row = x + (g * gr.m + m) * gr.f + f0;
    for (std::int64_t i = 0; i < len; ++i) sd[i] = add_square(sd[i], static_cast<double>(row[i]) - mean[i]);
  }
  for (std::int64_t i = 0; i < len; ++i) sd[i] = group_std(sd[i], inv_g);
}

// Calls body(m, chunk, f0, len) for every (group, feature chunk) pair, in parallel.
template <typename F>
void for_each_chunk(const Groups& gr, F&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, cpu::kElementwiseGrain / (gr.g * kChunk));
  cpu::parallel_for(gr.m * gr.chunks, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t task = b; task < e; ++task) {
      const std::int64_t m = task / gr.chunks, f0 = (task % gr.chunks) * kChunk;
      body(m, task % gr.chunks, f0, std::min(kChunk, gr.f - f0));
    }
  });
}

template <typename T>
void forward(const T* x, T* y, const Groups& gr) {
  const std::int64_t y_sample = gr.f + gr.hw;  // (C + 1) * H * W
  std::vector<double> partial(static_cast<std::size_t>(gr.m * gr.chunks));
  for_each_chunk(gr, [&](std::int64_t m, std::int64_t chunk, std::int64_t f0, std::int64_t len) {
    double mean[kChunk], sd[kChunk];
    chunk_stats(x, gr, m, f0, len, mean, sd);
    double s = 0;
    for (std::int64_t i = 0; i < len; ++i) s += sd[i];
    partial[static_cast<std::size_t>(m * gr.chunks + chunk)] = s;
    for (std::int64_t g = 0; g < gr.g; ++g) {
      const std::int64_t n = g * gr.m + m;
      std::copy(x + n * gr.f + f0, x + n * gr.f + f0 + len, y + n * y_sample + f0);
    }
  });
  for (std::int64_t m = 0; m < gr.m; ++m) {
    double s = 0;
    for (std::int64_t c = 0; c < gr.chunks; ++c) s += partial[static_cast<std::size_t>(m * gr.chunks + c)];
    const T value = stddev_channel_value<T>(s, gr.f);
    for (std::int64_t g = 0; g < gr.g; ++g) {
      T* plane = y + (g * gr.m + m) * y_sample + gr.f;
      std::fill(plane, plane + gr.hw, value);
    }
  }
}

// With s_m = mean_f sd_f and sd_f = sqrt(mean_g (x - mean_f)^2 + eps):
// d s_m / d x[g, m, f] = (x - mean_f) / (F G sd_f). The appended channel's gradient, summed over
// the group's samples and pixels, scales that.
template <typename T>
void backward(const T* x, const T* gy, T* gx, const Groups& gr) {
  const std::int64_t y_sample = gr.f + gr.hw;
  std::vector<double> coef(static_cast<std::size_t>(gr.m), 0.0);
  for (std::int64_t m = 0; m < gr.m; ++m) {
    double s = 0;
    for (std::int64_t g = 0; g < gr.g; ++g) {
      const T* plane = gy + (g * gr.m + m) * y_sample + gr.f;
      for (std::int64_t i = 0; i < gr.hw; ++i) s += static_cast<double>(plane[i]);
    }
    coef[static_cast<std::size_t>(m)] = stddev_grad_coef(s, gr.f, gr.g);
  }
  for_each_chunk(gr, [&](std::int64_t m, std::int64_t, std::int64_t f0, std::int64_t len) {
    double mean[kChunk], sd[kChunk];
    chunk_stats(x, gr, m, f0, len, mean, sd);
    const double c = coef[static_cast<std::size_t>(m)];
    for (std::int64_t i = 0; i < len; ++i) sd[i] = c / sd[i];  // now the factor of (x - mean)
    for (std::int64_t g = 0; g < gr.g; ++g) {
      const std::int64_t n = g * gr.m + m;
      const T* xr = x + n * gr.f + f0;
      const T* gr_in = gy + n * y_sample + f0;
      T* out = gx + n * gr.f + f0;
      for (std::int64_t i = 0; i < len; ++i) out[i] = stddev_input_grad(gr_in[i], xr[i], mean[i], sd[i]);
    }
  });
}

}  // namespace

void CpuProganKernels::minibatch_stddev_forward(const Tensor& x, const Tensor& y, int group) {
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    forward(x.data<T>(), y.data<T>(), groups_for(x, group));
  });
}

void CpuProganKernels::minibatch_stddev_backward(const Tensor& x, const Tensor& gy, const Tensor& gx, int group) {
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    backward(x.data<T>(), gy.data<T>(), gx.data<T>(), groups_for(x, group));
  });
}

}  // namespace gg

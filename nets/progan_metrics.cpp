// Byte quantization and the sliced Wasserstein distance (official metrics/sliced_wasserstein.py).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "data/samplers.h"
#include "engine/ops.h"
#include "nets/progan_metrics.h"

namespace gg::nets {

ByteImages to_byte_images(const Tensor& images) {
  if (images.dim() != 4) throw std::invalid_argument("metrics: images must be (N, C, H, W), got " + shape_str(images.shape()));
  ByteImages out;
  out.count = static_cast<int>(images.size(0));
  out.channels = static_cast<int>(images.size(1));
  out.height = static_cast<int>(images.size(2));
  out.width = static_cast<int>(images.size(3));
  out.values = images.to(DType::f32).to_vector<float>();
  for (float& v : out.values) v = std::clamp(std::nearbyint((v + 1.0f) * 127.5f), 0.0f, 255.0f);
  return out;
}

namespace {

// One image plane, row-major.
struct Plane {
  int height = 0, width = 0;
  std::vector<float> v;
  float& at(int y, int x) { return v[static_cast<std::size_t>(y) * width + x]; }
  float at(int y, int x) const { return v[static_cast<std::size_t>(y) * width + x]; }
};

// scipy.ndimage's 'mirror' border (OpenCV's BORDER_REFLECT_101): ... c b | a b c d | c b ...
int mirror(int i, int n) {
  if (n == 1) return 0;
  const int period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

// Separable 5-tap convolution with taps k (symmetric) along rows, then columns, mirror borders.
Plane convolve5(const Plane& in, const float (&k)[5]) {
  Plane tmp{in.height, in.width, std::vector<float>(in.v.size())};
  Plane out = tmp;
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      float s = 0;
      for (int t = -2; t <= 2; ++t) s += k[t + 2] * in.at(y, mirror(x + t, in.width));
      tmp.at(y, x) = s;
    }
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      float s = 0;
      for (int t = -2; t <= 2; ++t) s += k[t + 2] * tmp.at(mirror(y + t, in.height), x);
      out.at(y, x) = s;
    }
  return out;
}

// The binomial filter [1 4 6 4 1] / 16 in each direction (the official 5x5 kernel / 256).
constexpr float kGauss[5] = {1 / 16.f, 4 / 16.f, 6 / 16.f, 4 / 16.f, 1 / 16.f};
// pyr_up convolves with 4x that kernel: 2x in each direction.
constexpr float kGaussUp[5] = {2 / 16.f, 8 / 16.f, 12 / 16.f, 8 / 16.f, 2 / 16.f};

// cv2.pyrDown: blur, keep even rows and columns.
Plane pyr_down(const Plane& in) {
  const Plane blurred = convolve5(in, kGauss);
  Plane out{in.height / 2, in.width / 2, std::vector<float>(static_cast<std::size_t>(in.height / 2) * (in.width / 2))};
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) out.at(y, x) = blurred.at(2 * y, 2 * x);
  return out;
}

// cv2.pyrUp: zeros between the samples, then blur with 4x the kernel.
Plane pyr_up(const Plane& in) {
  Plane stuffed{in.height * 2, in.width * 2, std::vector<float>(static_cast<std::size_t>(in.height) * in.width * 4, 0.0f)};
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) stuffed.at(2 * y, 2 * x) = in.at(y, x);
  return convolve5(stuffed, kGaussUp);
}

// Laplacian pyramid of one plane: band-pass levels, finest first, the last one the low-pass rest.
std::vector<Plane> laplacian_pyramid(Plane plane, std::size_t levels) {
  std::vector<Plane> pyramid{std::move(plane)};
  for (std::size_t i = 1; i < levels; ++i) {
    pyramid.push_back(pyr_down(pyramid.back()));
    const Plane up = pyr_up(pyramid.back());
    Plane& finer = pyramid[pyramid.size() - 2];
    for (std::size_t j = 0; j < finer.v.size(); ++j) finer.v[j] -= up.v[j];
  }
  return pyramid;
}

// finalize_descriptors: per channel, zero mean and unit (population) standard deviation over all
// descriptors and neighbourhood positions.
void normalize_per_channel(std::vector<float>& desc, std::int64_t rows, int channels, int taps) {
  for (int c = 0; c < channels; ++c) {
    double sum = 0, sum_sq = 0;
    for (std::int64_t r = 0; r < rows; ++r)
      for (int t = 0; t < taps; ++t) {
        const double v = desc[static_cast<std::size_t>((r * channels + c) * taps + t)];
        sum += v;
        sum_sq += v * v;
      }
    const double n = static_cast<double>(rows) * taps;
    const double mean = sum / n;
    const double stddev = std::sqrt(std::max(sum_sq / n - mean * mean, 0.0));
    // A constant channel has no spread to normalise (numpy would divide by zero here).
    const double scale = stddev > 0 ? 1.0 / stddev : 1.0;
    for (std::int64_t r = 0; r < rows; ++r)
      for (int t = 0; t < taps; ++t) {
        float& v = desc[static_cast<std::size_t>((r * channels + c) * taps + t)];
        v = static_cast<float>((v - mean) * scale);
      }
  }
}

// `count` random directions in `dim` dimensions: Gaussian rows scaled to unit length.
Tensor random_unit_rows(int count, std::int64_t dim, Generator& gen) {
  std::vector<float> v = Tensor::randn({count, dim}, gen).to_vector<float>();
  for (std::size_t r = 0; r < static_cast<std::size_t>(count); ++r) {
    const auto row = v.begin() + static_cast<std::ptrdiff_t>(r * static_cast<std::size_t>(dim));
    double norm_sq = 0;
    for (auto it = row; it != row + dim; ++it) norm_sq += double(*it) * *it;
    const double inv = 1.0 / std::sqrt(norm_sq);
    for (auto it = row; it != row + dim; ++it) *it = static_cast<float>(*it * inv);
  }
  return Tensor::from_vector(v, {count, dim});
}

}  // namespace

SwdDescriptors swd_descriptors(const ByteImages& images, const SwdOptions& options, Generator& gen) {
  if (images.height != images.width) throw std::invalid_argument("SWD: images must be square");
  if (images.height < options.min_resolution || images.height < options.nhood_size) {
    throw std::invalid_argument("SWD: images of " + std::to_string(images.height) + " px are smaller than " +
                                std::to_string(std::max(options.min_resolution, options.nhood_size)));
  }
  SwdDescriptors out;
  for (int res = images.height; res >= options.min_resolution && res >= options.nhood_size; res /= 2) {
    out.resolutions.push_back(res);
  }
  const int half = options.nhood_size / 2, taps = options.nhood_size * options.nhood_size;
  out.rows = static_cast<std::int64_t>(images.count) * options.nhoods_per_image;
  out.dim = static_cast<std::int64_t>(images.channels) * taps;
  out.levels.assign(out.resolutions.size(), std::vector<float>(static_cast<std::size_t>(out.rows * out.dim)));

  const std::size_t plane_size = static_cast<std::size_t>(images.height) * images.width;
  for (int n = 0; n < images.count; ++n) {
    // pyramids[c][level]
    std::vector<std::vector<Plane>> pyramids;
    for (int c = 0; c < images.channels; ++c) {
      const float* src = images.image(n) + c * plane_size;
      pyramids.push_back(laplacian_pyramid(Plane{images.height, images.width, std::vector<float>(src, src + plane_size)},
                                           out.resolutions.size()));
    }
    for (std::size_t level = 0; level < out.resolutions.size(); ++level) {
      const int res = out.resolutions[level];
      for (int k = 0; k < options.nhoods_per_image; ++k) {
        // Centres drawn from [half, res - half), so the whole neighbourhood is inside the image.
        const int cx = half + static_cast<int>(data::uniform_below(gen, static_cast<std::uint64_t>(res - 2 * half)));
        const int cy = half + static_cast<int>(data::uniform_below(gen, static_cast<std::uint64_t>(res - 2 * half)));
        float* row = out.levels[level].data() + (static_cast<std::size_t>(n) * options.nhoods_per_image + k) * out.dim;
        for (int c = 0; c < images.channels; ++c)
          for (int dy = -half; dy <= half; ++dy)
            for (int dx = -half; dx <= half; ++dx) *row++ = pyramids[c][level].at(cy + dy, cx + dx);
      }
    }
  }
  for (auto& level : out.levels) normalize_per_channel(level, out.rows, images.channels, taps);
  return out;
}

SwdResult sliced_wasserstein(const SwdDescriptors& a, const SwdDescriptors& b, const SwdOptions& options,
                             Generator& gen) {
  if (a.rows != b.rows || a.dim != b.dim || a.resolutions != b.resolutions) {
    throw std::invalid_argument("SWD: the two image sets give descriptors of different sizes (" +
                                std::to_string(a.rows) + " vs " + std::to_string(b.rows) + " rows)");
  }
  SwdResult result;
  result.resolutions = a.resolutions;
  const std::size_t rows = static_cast<std::size_t>(a.rows);
  const std::size_t dirs_count = static_cast<std::size_t>(options.dirs_per_repeat);
  for (std::size_t level = 0; level < a.levels.size(); ++level) {
    const Tensor ta = Tensor::from_vector(a.levels[level], {a.rows, a.dim});
    const Tensor tb = Tensor::from_vector(b.levels[level], {b.rows, b.dim});
    double total = 0;
    for (int repeat = 0; repeat < options.dir_repeats; ++repeat) {
      const Tensor dirs = random_unit_rows(options.dirs_per_repeat, a.dim, gen);
      // (directions, rows): each direction's projections contiguous, ready to sort.
      std::vector<float> proj_a = matmul(dirs, ta, false, true).to_vector<float>();
      std::vector<float> proj_b = matmul(dirs, tb, false, true).to_vector<float>();
      // Per direction: sort both projections; the 1-D Wasserstein distance is the mean gap.
      double sum = 0;
      for (std::size_t d = 0; d < dirs_count; ++d) {
        const auto col_a = proj_a.begin() + static_cast<std::ptrdiff_t>(d * rows);
        const auto col_b = proj_b.begin() + static_cast<std::ptrdiff_t>(d * rows);
        std::sort(col_a, col_a + static_cast<std::ptrdiff_t>(rows));
        std::sort(col_b, col_b + static_cast<std::ptrdiff_t>(rows));
        for (std::size_t r = 0; r < rows; ++r) sum += std::fabs(double(col_a[r]) - col_b[r]);
      }
      total += sum / static_cast<double>(rows * dirs_count);
    }
    result.distances.push_back(1e3 * total / options.dir_repeats);
  }
  double mean = 0;
  for (double d : result.distances) mean += d;
  result.mean = result.distances.empty() ? 0 : mean / static_cast<double>(result.distances.size());
  return result;
}

}  // namespace gg::nets

// Multi-scale SSIM, as the official metrics/ms_ssim.py (itself from the TensorFlow models repo).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nets/progan_metrics.h"

namespace gg::nets {

namespace {

struct ScaleResult {
  double ssim = 0;
  double contrast_structure = 0;  // "cs": the SSIM without its luminance factor
};

// Normalised 1-D Gaussian of `size` taps; its outer product with itself is the official 2-D window
// (_FSpecialGauss), whose taps sit at half-integers when size is even.
std::vector<double> gaussian_taps(int size, double sigma) {
  const double offset = size % 2 == 0 ? 0.5 : 0.0;
  const int radius = size / 2;
  std::vector<double> g;
  double total = 0;
  for (int i = 0; i < size; ++i) {
    const double x = offset - radius + i;
    g.push_back(std::exp(-x * x / (2 * sigma * sigma)));
    total += g.back();
  }
  for (double& v : g) v /= total;
  return g;
}

// 'valid' 2-D filtering of one (h, w) plane by the separable window g (x) g.
std::vector<double> filter_valid(const std::vector<double>& plane, int h, int w, const std::vector<double>& g) {
  const int k = static_cast<int>(g.size()), oh = h - k + 1, ow = w - k + 1;
  std::vector<double> rows(static_cast<std::size_t>(h) * ow), out(static_cast<std::size_t>(oh) * ow);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int t = 0; t < k; ++t) s += g[t] * plane[static_cast<std::size_t>(y) * w + x + t];
      rows[static_cast<std::size_t>(y) * ow + x] = s;
    }
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x) {
      double s = 0;
      for (int t = 0; t < k; ++t) s += g[t] * rows[static_cast<std::size_t>(y + t) * ow + x];
      out[static_cast<std::size_t>(y) * ow + x] = s;
    }
  return out;
}

// _SSIMForMultiScale for one pair of (C, h, w) images: means over every position and channel.
ScaleResult ssim_at_scale(const std::vector<double>& a, const std::vector<double>& b, int channels, int h, int w,
                          const MsSsimOptions& o) {
  const int size = std::min({o.filter_size, h, w});
  // A smaller window gets a proportionally smaller sigma.
  const std::vector<double> g = gaussian_taps(size, size * o.filter_sigma / o.filter_size);
  const double c1 = (o.k1 * o.max_value) * (o.k1 * o.max_value), c2 = (o.k2 * o.max_value) * (o.k2 * o.max_value);
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  double ssim_sum = 0, cs_sum = 0;
  std::size_t count = 0;
  for (int c = 0; c < channels; ++c) {
    const std::vector<double> pa(a.begin() + c * plane, a.begin() + (c + 1) * plane);
    const std::vector<double> pb(b.begin() + c * plane, b.begin() + (c + 1) * plane);
    std::vector<double> aa(plane), bb(plane), ab(plane);
    for (std::size_t i = 0; i < plane; ++i) aa[i] = pa[i] * pa[i], bb[i] = pb[i] * pb[i], ab[i] = pa[i] * pb[i];
    const auto mu1 = filter_valid(pa, h, w, g), mu2 = filter_valid(pb, h, w, g);
    const auto s11 = filter_valid(aa, h, w, g), s22 = filter_valid(bb, h, w, g), s12 = filter_valid(ab, h, w, g);
    for (std::size_t i = 0; i < mu1.size(); ++i) {
      const double mu11 = mu1[i] * mu1[i], mu22 = mu2[i] * mu2[i], mu12 = mu1[i] * mu2[i];
      const double v1 = 2 * (s12[i] - mu12) + c2;
      const double v2 = (s11[i] - mu11) + (s22[i] - mu22) + c2;
      ssim_sum += ((2 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2);
      cs_sum += v1 / v2;
    }
    count += mu1.size();
  }
  return {ssim_sum / static_cast<double>(count), cs_sum / static_cast<double>(count)};
}

// _HoxDownsample: means of 2x2 blocks.
std::vector<double> half_size(const std::vector<double>& img, int channels, int h, int w) {
  std::vector<double> out(static_cast<std::size_t>(channels) * (h / 2) * (w / 2));
  std::size_t o = 0;
  for (int c = 0; c < channels; ++c)
    for (int y = 0; y < h / 2; ++y)
      for (int x = 0; x < w / 2; ++x) {
        auto at = [&](int yy, int xx) { return img[(static_cast<std::size_t>(c) * h + yy) * w + xx]; };
        out[o++] = 0.25 * (at(2 * y, 2 * x) + at(2 * y + 1, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x + 1));
      }
  return out;
}

double ms_ssim_one(std::vector<double> a, std::vector<double> b, int channels, int h, int w, const MsSsimOptions& o) {
  const std::size_t scales = o.weights.size();
  double result = 1;
  for (std::size_t s = 0; s < scales; ++s) {
    const ScaleResult r = ssim_at_scale(a, b, channels, h, w, o);
    // Negative values are clipped to zero as the official code does (they would give NaN powers).
    if (s + 1 < scales) {
      result *= std::pow(std::max(r.contrast_structure, 0.0), o.weights[s]);
      a = half_size(a, channels, h, w);
      b = half_size(b, channels, h, w);
      h /= 2;
      w /= 2;
    } else {
      result *= std::pow(std::max(r.ssim, 0.0), o.weights[s]);
    }
  }
  return result;
}

}  // namespace

double ms_ssim(const ByteImages& a, const ByteImages& b, const MsSsimOptions& options) {
  if (a.count != b.count || a.channels != b.channels || a.height != b.height || a.width != b.width) {
    throw std::invalid_argument("MS-SSIM: the two image sets differ in count or shape");
  }
  const int min_side = 1 << (options.weights.size() - 1);
  if (a.height < min_side || a.width < min_side) {
    throw std::invalid_argument("MS-SSIM: images of " + std::to_string(a.height) + "x" + std::to_string(a.width) +
                                " are too small for " + std::to_string(options.weights.size()) + " scales (need " +
                                std::to_string(min_side) + ")");
  }
  if (a.count == 0) throw std::invalid_argument("MS-SSIM: no images");
  const std::size_t n = static_cast<std::size_t>(a.channels) * a.height * a.width;
  double total = 0;
  for (int i = 0; i < a.count; ++i) {
    total += ms_ssim_one(std::vector<double>(a.image(i), a.image(i) + n), std::vector<double>(b.image(i), b.image(i) + n),
                         a.channels, a.height, a.width, options);
  }
  return total / a.count;
}

double ms_ssim_of_pairs(const ByteImages& images, const MsSsimOptions& options) {
  if (images.count < 2) throw std::invalid_argument("MS-SSIM: need at least two images to pair");
  ByteImages first = images, second = images;
  first.count = second.count = images.count / 2;
  const std::size_t n = static_cast<std::size_t>(images.channels) * images.height * images.width;
  first.values.clear();
  second.values.clear();
  for (int i = 0; i + 1 < images.count; i += 2) {
    first.values.insert(first.values.end(), images.image(i), images.image(i) + n);
    second.values.insert(second.values.end(), images.image(i + 1), images.image(i + 1) + n);
  }
  return ms_ssim(first, second, options);
}

}  // namespace gg::nets

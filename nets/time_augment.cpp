#include "nets/time_augment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gg::nets {

void TimeAugmentOptions::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("augmentation: " + what); };
  if (!(probability >= 0 && probability <= 1)) fail("probability must be in [0, 1]");
  if (!(max_shift >= 0 && max_shift < 1)) fail("max shift must be in [0, 1) of the width");
  if (!(cutout >= 0 && cutout < 1)) fail("cutout must be in [0, 1) of the width");
  if (adaptive && !(ada_target > 0 && ada_target < 1)) fail("ADA target must be in (0, 1)");
  if (adaptive && !(ada_kimg > 0)) fail("ADA kimg must be > 0");
}

TimeAugmentDraw draw_time_augment(int batch, int width, double probability, const TimeAugmentOptions& options,
                                  Generator& gen) {
  TimeAugmentDraw d;
  const int max_shift = static_cast<int>(std::floor(options.max_shift * width));
  const int cut = static_cast<int>(std::lround(options.cutout * width));
  for (int n = 0; n < batch; ++n) {
    // Four draws per image whatever p is, so the stream's position depends on the batch only.
    const double apply_shift = gen.uniform(), shift = gen.uniform(), apply_cut = gen.uniform(), where = gen.uniform();
    d.shifts.push_back(apply_shift < probability
                           ? static_cast<int>(std::floor(shift * (2 * max_shift + 1))) - max_shift
                           : 0);
    const bool cutting = apply_cut < probability && cut > 0;
    d.cut_begin.push_back(cutting ? static_cast<int>(std::floor(where * (width - cut + 1))) : 0);
    d.cut_width.push_back(cutting ? cut : 0);
  }
  return d;
}

Tensor roll_time(const Tensor& x, const std::vector<int>& shifts) {
  if (x.dim() != 4 || static_cast<std::int64_t>(shifts.size()) != x.size(0)) {
    throw std::invalid_argument("roll_time: needs (N, C, H, W) images and one shift per image");
  }
  if (std::all_of(shifts.begin(), shifts.end(), [](int s) { return s == 0; })) return x;
  const std::int64_t width = x.size(3);
  std::vector<Tensor> images;
  for (std::int64_t n = 0; n < x.size(0); ++n) {
    const Tensor image = slice(x, 0, n, n + 1);
    const std::int64_t s = ((shifts[static_cast<std::size_t>(n)] % width) + width) % width;
    images.push_back(s == 0 ? image : concat({slice(image, 3, width - s, width), slice(image, 3, 0, width - s)}, 3));
  }
  return concat(images, 0);
}

Tensor time_augment(const Tensor& x, const TimeAugmentDraw& draw) {
  Tensor out = roll_time(x, draw.shifts);
  if (std::all_of(draw.cut_width.begin(), draw.cut_width.end(), [](int w) { return w == 0; })) return out;
  const std::int64_t batch = x.size(0), width = x.size(3);
  std::vector<double> keep(static_cast<std::size_t>(batch * width), 1.0);  // (N, 1, 1, W)
  for (std::int64_t n = 0; n < batch; ++n) {
    const auto i = static_cast<std::size_t>(n);
    for (int w = draw.cut_begin[i]; w < draw.cut_begin[i] + draw.cut_width[i]; ++w)
      keep[i * static_cast<std::size_t>(width) + static_cast<std::size_t>(w)] = 0;
  }
  const Tensor mask = Tensor::from_vector(keep, {batch, 1, 1, width}, x.device()).to(x.dtype());
  return mul(out, mask);
}

double adapted_probability(double probability, double real_sign, int images, const TimeAugmentOptions& options) {
  if (!options.adaptive) return probability;
  const double step = static_cast<double>(images) / (options.ada_kimg * 1000);
  const double direction = real_sign > options.ada_target ? 1.0 : (real_sign < options.ada_target ? -1.0 : 0.0);
  return std::clamp(probability + direction * step, 0.0, 1.0);
}

}  // namespace gg::nets

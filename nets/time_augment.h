#pragma once
// Differentiable augmentation of the discriminator's inputs for training on little data
// (DiffAugment, Zhao et al. 2020; ADA, Karras et al. 2020), restricted to what leaves a glitch's
// class unchanged: transforms along the time axis (the image width) only.
//   shift   a circular shift by up to +-max_shift of the width. A scan's background is stationary
//           noise, so the columns that wrap around look like any others (a zero fill would add a
//           band that no real scan has); the glitches sit near the centre, well inside the view.
//   cutout  a band of `cutout` x width columns, every frequency, set to 0 (DiffAugment's fill).
// Nothing else is physically valid for a spectrogram: a frequency shift changes the class
// (Air_Compressor sits at ~50 Hz, Power_Line at 60 Hz), a flip reverses time (a chirp rises), and
// the colour is the normalised energy. Real and generated images are augmented alike, each image
// independently, each transform with probability p, so D never sees an unaugmented distribution
// that G could be pulled towards.
// Built from slice, concat and mul: the backward is exact and is itself differentiable, as the
// gradient penalty (which differentiates D through the augmentation) needs.
#include <vector>

#include "engine/ops.h"
#include "engine/random.h"

namespace gg::nets {

struct TimeAugmentOptions {
  double probability = 0;    // p of each transform per image; 0 (and not adaptive): off
  double max_shift = 0.125;  // largest shift, as a fraction of the width
  double cutout = 0.25;      // width of the cut band, as a fraction of the width
  // ADA: p starts at `probability` and moves after every round by sign(r_t - ada_target) times
  // (images in the round) / (ada_kimg * 1000), clamped to [0, 1], where r_t = E[sign(D(real))]
  // over the round: near 1 when D separates the reals it memorised.
  bool adaptive = false;
  double ada_target = 0.6;
  double ada_kimg = 10;  // kimg for p to move from 0 to 1

  bool enabled() const { return probability > 0 || adaptive; }
  // Throws std::invalid_argument naming the bad field.
  void validate() const;
};

// The parameters for one batch, per image: the shift in columns (right is positive) and the cut
// band [cut_begin, cut_begin + cut_width), width 0 for none.
struct TimeAugmentDraw {
  std::vector<int> shifts, cut_begin, cut_width;
};
TimeAugmentDraw draw_time_augment(int batch, int width, double probability, const TimeAugmentOptions& options,
                                  Generator& gen);

// x (N, C, H, W) -> the augmented images, same shape.
Tensor time_augment(const Tensor& x, const TimeAugmentDraw& draw);

// Each image n shifted circularly by shifts[n] columns: out[.., w] = x[.., (w - shifts[n]) mod W].
Tensor roll_time(const Tensor& x, const std::vector<int>& shifts);

// ADA's update of p after a round (see TimeAugmentOptions).
double adapted_probability(double probability, double real_sign, int images, const TimeAugmentOptions& options);

}  // namespace gg::nets

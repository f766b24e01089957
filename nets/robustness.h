#pragma once
// How far a classifier's answers hold when its input is disturbed (seed 001's questions):
//   - Poisson-like noise on every pixel's normalised energy, at increasing strength;
//   - the one-pixel attack (Su, Vargas & Sakurai 2019): differential evolution searches for one
//     pixel, its place and its value, that changes the predicted class.
// Both are seeded: the same seed gives the same noisy images and the same attack.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "data/dataset.h"
#include "nets/classifier.h"

namespace gg::nets {

// The dataset with every pixel's normalised energy e = byte / 255 replaced by k / lambda, k drawn
// from Poisson(lambda e) with lambda = 1 / strength^2 (so where e = 1 the noise's relative standard
// deviation is `strength`, and dim pixels get relatively more), clipped to [0, 1] and rounded back
// to a byte. Means above 30 draw from the normal approximation N(m, m). strength 0: the same
// bytes. Throws std::invalid_argument for a strength outside [0, 1].
data::Dataset with_poisson_noise(const data::Dataset& data, double strength, std::uint64_t seed);

// Softmax probabilities of a batch of images: (N, C, H, W) in [-1, 1] -> N x classes, row-major.
using ProbabilityFn = std::function<std::vector<float>(const Tensor& images)>;

// The classifier's probabilities in eval mode without autograd, the images moved to `device`.
ProbabilityFn classifier_probabilities(GlitchClassifier& model, Device device);

struct OnePixelAttackOptions {
  int population = 100;  // candidates (column, row, one value per channel); Su et al. use 400
  int generations = 30;  // Su et al. use 100
  double scale = 0.5;    // F of DE/rand/1: trial = a + F (b - c), no crossover (as Su et al.)
  std::uint64_t seed = 1;
  void validate() const;  // std::invalid_argument naming the field
};

struct OnePixelAttack {
  bool flipped = false;             // the predicted class is no longer `label`
  int prediction = 0;               // the class predicted for the attacked image
  double clean_probability = 0;     // of `label`, before
  double attacked_probability = 0;  // and after the attack
  int column = 0, row = 0;          // the pixel changed
  std::vector<std::uint8_t> value;  // its new bytes, one per channel
  std::vector<std::uint8_t> image;  // the attacked image, C x H x W bytes as in a Dataset
  int evaluations = 0;              // images the classifier was asked about
  int generations = 0;              // generations run (fewer than asked when it flipped early)
};

// Untargeted attack on `image` (C x H x W bytes) of class `label`: minimises the probability of
// `label` over one-pixel changes; stops after the first generation holding a candidate the
// classifier no longer assigns to `label` (the most damaging such candidate is returned), else
// returns the best candidate after `generations`.
OnePixelAttack one_pixel_attack(const ProbabilityFn& probabilities, std::span<const std::uint8_t> image, int channels,
                                int height, int width, int label, const OnePixelAttackOptions& options);

}  // namespace gg::nets

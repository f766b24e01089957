#include "nets/robustness.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/random.h"

namespace gg::nets {

namespace {

// Normal means above this draw from N(m, m): Knuth's product of uniforms needs about m of them.
constexpr double kPoissonNormalFrom = 30;

std::uint64_t poisson(double mean, Generator& gen) {
  if (mean <= 0) return 0;
  if (mean > kPoissonNormalFrom) {
    const double u1 = 1 - gen.uniform(), u2 = gen.uniform();  // u1 in (0, 1]
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    return static_cast<std::uint64_t>(std::max(0.0, std::round(mean + std::sqrt(mean) * z)));
  }
  const double limit = std::exp(-mean);
  double product = 1;
  for (std::uint64_t k = 0;; ++k) {
    product *= gen.uniform();
    if (product <= limit) return k;
  }
}

// A candidate of the attack: column, row, then one value per channel, all real (DE works in a
// continuous space) and rounded to a pixel and bytes when an image is made of it.
using Candidate = std::vector<double>;

struct Decoded {
  int column, row;
  std::vector<std::uint8_t> value;
};

Decoded decode(const Candidate& c, int height, int width) {
  Decoded d{std::clamp(static_cast<int>(std::lround(c[0])), 0, width - 1),
            std::clamp(static_cast<int>(std::lround(c[1])), 0, height - 1),
            {}};
  for (std::size_t k = 2; k < c.size(); ++k)
    d.value.push_back(static_cast<std::uint8_t>(std::clamp(std::lround(c[k]), 0L, 255L)));
  return d;
}

float to_float(std::uint8_t v) { return static_cast<float>(v) * (2.0f / 255.0f) - 1.0f; }  // as data::Dataset

struct Scores {
  std::vector<double> probability;  // of the label, per candidate
  std::vector<int> prediction;      // argmax, per candidate
};

class AttackTarget {
 public:
  AttackTarget(const ProbabilityFn& probabilities, std::span<const std::uint8_t> image, int channels, int height, int width,
               int label)
      : probabilities_(probabilities), image_(image), channels_(channels), height_(height), width_(width), label_(label) {}

  // The image with candidate c's pixel set, as bytes.
  std::vector<std::uint8_t> apply(const Candidate& c) const {
    std::vector<std::uint8_t> out(image_.begin(), image_.end());
    const Decoded d = decode(c, height_, width_);
    const std::size_t plane = static_cast<std::size_t>(height_) * width_;
    for (int ch = 0; ch < channels_; ++ch)
      out[ch * plane + static_cast<std::size_t>(d.row) * width_ + d.column] = d.value[static_cast<std::size_t>(ch)];
    return out;
  }

  // Every candidate's image in one batch; an empty candidate list scores the clean image.
  Scores score(const std::vector<Candidate>& candidates) {
    const std::size_t n = std::max<std::size_t>(1, candidates.size()), size = image_.size();
    Tensor batch = Tensor::empty({static_cast<std::int64_t>(n), channels_, height_, width_});  // (N, C, H, W)
    float* dst = batch.data<float>();
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<std::uint8_t> bytes =
          candidates.empty() ? std::vector<std::uint8_t>(image_.begin(), image_.end()) : apply(candidates[i]);
      std::transform(bytes.begin(), bytes.end(), dst + i * size, to_float);
    }
    const std::vector<float> rows = probabilities_(batch);
    const std::size_t classes = rows.size() / n;
    if (classes * n != rows.size() || static_cast<std::size_t>(label_) >= classes) {
      throw std::invalid_argument("one_pixel_attack: the classifier returned " + std::to_string(rows.size()) +
                                  " probabilities for " + std::to_string(n) + " images and label " + std::to_string(label_));
    }
    evaluations_ += static_cast<int>(n);
    Scores s;
    for (std::size_t i = 0; i < n; ++i) {
      const float* row = rows.data() + i * classes;
      s.probability.push_back(row[label_]);
      s.prediction.push_back(static_cast<int>(std::max_element(row, row + classes) - row));
    }
    return s;
  }

  int evaluations() const { return evaluations_; }

 private:
  const ProbabilityFn& probabilities_;
  std::span<const std::uint8_t> image_;
  int channels_, height_, width_, label_;
  int evaluations_ = 0;
};

// Index of the candidate to return: the lowest probability of the label among those that flipped,
// else overall; -1 for none flipped when `flipped_only`.
int best_candidate(const Scores& s, int label, bool flipped_only) {
  int best = -1;
  for (std::size_t i = 0; i < s.probability.size(); ++i) {
    if (flipped_only && s.prediction[i] == label) continue;
    if (best < 0 || s.probability[i] < s.probability[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace

data::Dataset with_poisson_noise(const data::Dataset& data, double strength, std::uint64_t seed) {
  if (!(strength >= 0 && strength <= 1))
    throw std::invalid_argument("with_poisson_noise: strength " + std::to_string(strength) + " is outside [0, 1]");
  const std::size_t bytes = data.sample_bytes();
  std::vector<std::uint8_t> pixels;
  pixels.reserve(data.size() * bytes);
  std::vector<data::SampleInfo> infos;
  Generator gen(seed);
  const double lambda = strength > 0 ? 1 / (strength * strength) : 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    for (std::uint8_t v : data.pixels(i)) {
      if (strength == 0) {
        pixels.push_back(v);
        continue;
      }
      const double energy = static_cast<double>(poisson(lambda * v / 255.0, gen)) / lambda;
      pixels.push_back(static_cast<std::uint8_t>(std::lround(255 * std::min(energy, 1.0))));
    }
    infos.push_back(data.info(i));
  }
  return {data.class_names(), data.channels(), data.height(), data.width(), std::move(pixels), data.labels(), std::move(infos)};
}

ProbabilityFn classifier_probabilities(GlitchClassifier& model, Device device) {
  return [&model, device](const Tensor& images) {
    NoGrad no_grad;
    EvalMode eval(model);
    Generator unused(0);  // dropout is the identity in eval mode
    return exp(log_softmax(model.forward(images.to(device), unused))).to_vector<float>();
  };
}

void OnePixelAttackOptions::validate() const {
  if (population < 4) throw std::invalid_argument("one-pixel attack: population must be at least 4 (DE/rand/1 draws three others)");
  if (generations < 0) throw std::invalid_argument("one-pixel attack: generations must not be negative");
  if (!(scale > 0 && scale <= 2)) throw std::invalid_argument("one-pixel attack: scale F must be in (0, 2]");
}

OnePixelAttack one_pixel_attack(const ProbabilityFn& probabilities, std::span<const std::uint8_t> image, int channels,
                                int height, int width, int label, const OnePixelAttackOptions& options) {
  options.validate();
  if (channels < 1 || height < 1 || width < 1 ||
      image.size() != static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width))
    throw std::invalid_argument("one_pixel_attack: the image has " + std::to_string(image.size()) + " bytes, not " +
                                std::to_string(channels) + " x " + std::to_string(height) + " x " + std::to_string(width));
  AttackTarget target(probabilities, image, channels, height, width, label);
  Generator gen(options.seed);
  const auto population = static_cast<std::size_t>(options.population);
  const std::vector<double> upper = [&] {
    std::vector<double> u{static_cast<double>(width - 1), static_cast<double>(height - 1)};
    u.resize(2 + static_cast<std::size_t>(channels), 255.0);
    return u;
  }();

  OnePixelAttack result;
  result.clean_probability = target.score({}).probability[0];

  std::vector<Candidate> pop(population, Candidate(upper.size()));
  for (Candidate& c : pop)
    for (std::size_t k = 0; k < c.size(); ++k) c[k] = gen.uniform() * upper[k];
  Scores scores = target.score(pop);

  int best = best_candidate(scores, label, true);
  for (int g = 1; best < 0 && g <= options.generations; ++g) {
    result.generations = g;
    std::vector<Candidate> trials(population);
    for (std::size_t i = 0; i < population; ++i) {
      std::size_t r[3];
      for (int k = 0; k < 3; ++k) {
        do {
          r[k] = gen.next_u64() % population;
        } while (r[k] == i || (k > 0 && r[k] == r[0]) || (k > 1 && r[k] == r[1]));
      }
      trials[i].resize(upper.size());
      for (std::size_t k = 0; k < upper.size(); ++k)
        trials[i][k] = std::clamp(pop[r[0]][k] + options.scale * (pop[r[1]][k] - pop[r[2]][k]), 0.0, upper[k]);
    }
    const Scores trial_scores = target.score(trials);
    for (std::size_t i = 0; i < population; ++i) {
      if (trial_scores.probability[i] <= scores.probability[i]) {
        pop[i] = std::move(trials[i]);
        scores.probability[i] = trial_scores.probability[i];
        scores.prediction[i] = trial_scores.prediction[i];
      }
    }
    best = best_candidate(scores, label, true);
  }
  if (best < 0) best = best_candidate(scores, label, false);

  const auto b = static_cast<std::size_t>(best);
  const Decoded d = decode(pop[b], height, width);
  result.flipped = scores.prediction[b] != label;
  result.prediction = scores.prediction[b];
  result.attacked_probability = scores.probability[b];
  result.column = d.column;
  result.row = d.row;
  result.value = d.value;
  result.image = target.apply(pop[b]);
  result.evaluations = target.evaluations();
  return result;
}

}  // namespace gg::nets

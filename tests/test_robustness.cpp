// Robustness probes (nets/robustness.h): seeded Poisson-like noise with the asked strength, and a
// one-pixel attack that finds the one pixel a deliberately fragile classifier hinges on and never
// changes more than that pixel.
#include <cmath>
#include <numeric>

#include "nets/classifier_trainer.h"
#include "nets/robustness.h"
#include "tests/test_classifier_helpers.h"
#include "tests/testing.h"

using namespace gg;

namespace {

constexpr int kSize = 32;

// Class 1 when a bright pixel lies near (column 21, row 9), class 0 otherwise: the logit of class
// 1 sums the images' brightness (bytes / 255) weighted by a Gaussian bump of width 1.5 there, so one
// white pixel within about 2 of it flips a black image, and nothing farther away can.
std::vector<float> fragile_probabilities(const Tensor& images) {
  const std::vector<float> v = images.to_vector<float>();
  const std::int64_t n = images.size(0);
  std::vector<float> out;
  for (std::int64_t i = 0; i < n; ++i) {
    double logit = -1.5;
    for (int r = 0; r < kSize; ++r)
      for (int c = 0; c < kSize; ++c) {
        const double brightness = (v[static_cast<std::size_t>((i * kSize + r) * kSize + c)] + 1) / 2;
        logit += 4 * brightness * std::exp(-((c - 21.0) * (c - 21.0) + (r - 9.0) * (r - 9.0)) / (2 * 1.5 * 1.5));
      }
    const double p1 = 1 / (1 + std::exp(-logit));
    out.push_back(static_cast<float>(1 - p1));
    out.push_back(static_cast<float>(p1));
  }
  return out;
}

std::vector<std::uint8_t> black_image() { return std::vector<std::uint8_t>(kSize * kSize, 0); }

}  // namespace

TEST_CASE("robustness: Poisson-like noise is seeded, zero strength changes nothing, and its spread is the asked one") {
  const data::Dataset flat = testing::constant_dataset(40, kSize, 128, {0, 1}, {"A", "B"});
  const data::Dataset same = nets::with_poisson_noise(flat, 0, 3);
  for (std::size_t i = 0; i < flat.size(); ++i) CHECK(std::ranges::equal(same.pixels(i), flat.pixels(i)));

  const data::Dataset a = nets::with_poisson_noise(flat, 0.1, 3), b = nets::with_poisson_noise(flat, 0.1, 3),
                      c = nets::with_poisson_noise(flat, 0.1, 4);
  CHECK(a.labels() == flat.labels());
  CHECK(a.class_names() == flat.class_names());
  bool any_differs = false;
  double sum = 0, squares = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(std::ranges::equal(a.pixels(i), b.pixels(i)));
    any_differs = any_differs || !std::ranges::equal(a.pixels(i), c.pixels(i));
    for (std::uint8_t v : a.pixels(i)) {
      sum += v / 255.0;
      squares += (v / 255.0) * (v / 255.0);
      ++count;
    }
  }
  CHECK(any_differs);
  // Energy e = 128/255 at strength 0.1: lambda 100, mean e, standard deviation sqrt(e / lambda) = 0.071.
  const double e = 128 / 255.0, mean = sum / static_cast<double>(count);
  const double std_dev = std::sqrt(squares / static_cast<double>(count) - mean * mean);
  CHECK(mean == doctest::Approx(e).epsilon(0.01));
  CHECK(std_dev == doctest::Approx(std::sqrt(e / 100)).epsilon(0.05));

  // Dim pixels (mean 0.2 counts, Knuth's branch) keep their mean too.
  const data::Dataset dim = nets::with_poisson_noise(testing::constant_dataset(40, kSize, 51, {0}, {"A"}), 0.5, 5);
  double dim_sum = 0;
  for (std::size_t i = 0; i < dim.size(); ++i)
    for (std::uint8_t v : dim.pixels(i)) dim_sum += v / 255.0;
  CHECK(dim_sum / static_cast<double>(dim.size() * dim.sample_bytes()) == doctest::Approx(51 / 255.0).epsilon(0.05));

  CHECK_THROWS_WITH_AS(nets::with_poisson_noise(flat, 1.5, 1), doctest::Contains("outside [0, 1]"), std::invalid_argument);
}

TEST_CASE("robustness: the one-pixel attack flips a fragile classifier by changing that one pixel, the same way every run") {
  const std::vector<std::uint8_t> image = black_image();
  const nets::OnePixelAttackOptions options{.population = 40, .generations = 30, .seed = 7};
  const nets::OnePixelAttack attack = nets::one_pixel_attack(fragile_probabilities, image, 1, kSize, kSize, 0, options);
  CHECK(attack.clean_probability > 0.8);
  REQUIRE(attack.flipped);
  CHECK(attack.prediction == 1);
  CHECK(attack.attacked_probability < 0.5);
  CHECK(std::hypot(attack.column - 21, attack.row - 9) < 2.5);
  // Exactly the reported pixel differs, and it holds the reported value.
  REQUIRE(attack.image.size() == image.size());
  int changed = 0;
  for (std::size_t k = 0; k < image.size(); ++k) changed += attack.image[k] != image[k];
  CHECK(changed == 1);
  CHECK(attack.image[static_cast<std::size_t>(attack.row * kSize + attack.column)] == attack.value.at(0));
  CHECK(attack.evaluations == 1 + options.population * (1 + attack.generations));

  const nets::OnePixelAttack again = nets::one_pixel_attack(fragile_probabilities, image, 1, kSize, kSize, 0, options);
  CHECK(again.image == attack.image);
  CHECK(again.evaluations == attack.evaluations);
}

TEST_CASE("robustness: a classifier no single pixel can move is never flipped, and bad arguments are clear errors") {
  const auto constant = [](const Tensor& images) {
    std::vector<float> out;
    for (std::int64_t i = 0; i < images.size(0); ++i) out.insert(out.end(), {0.9f, 0.1f});
    return out;
  };
  const nets::OnePixelAttackOptions options{.population = 8, .generations = 5};
  const nets::OnePixelAttack attack = nets::one_pixel_attack(constant, black_image(), 1, kSize, kSize, 0, options);
  CHECK_FALSE(attack.flipped);
  CHECK(attack.generations == 5);
  CHECK(attack.evaluations == 1 + 8 * 6);
  int changed = 0;
  for (std::uint8_t v : attack.image) changed += v != 0;
  CHECK(changed <= 1);

  CHECK_THROWS_WITH_AS(nets::one_pixel_attack(constant, black_image(), 1, kSize, 16, 0, options), doctest::Contains("1024 bytes"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(nets::one_pixel_attack(constant, black_image(), 1, kSize, kSize, 0, {.population = 3}),
                       doctest::Contains("population"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(nets::one_pixel_attack(constant, black_image(), 1, kSize, kSize, 2, options), doctest::Contains("label 2"),
                       std::invalid_argument);
}

TEST_CASE("robustness: the classifier's probabilities are predict()'s, and its features feed its head") {
  Generator init(3);
  nets::GlitchClassifier model(testing::small_net(), init);
  const data::Dataset data = testing::bars_dataset(6, 16, 2);
  std::vector<std::size_t> all(data.size());
  std::iota(all.begin(), all.end(), 0);
  const std::vector<float> rows = nets::classifier_probabilities(model, Device::cpu())(data.images(all));
  const nets::Predictions p = nets::predict(model, data, 4, Device::cpu());
  REQUIRE(rows.size() == data.size() * 4);
  for (std::size_t i = 0; i < data.size(); ++i)
    for (std::size_t k = 0; k < 4; ++k) CHECK(rows[i * 4 + k] == doctest::Approx(p.probabilities[i][k]).epsilon(1e-6));
  CHECK(model.is_training());  // restored
  CHECK(model.features(data.images(all)).shape() == Shape{6, 16});
}

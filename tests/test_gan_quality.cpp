// Limited-data GAN training and GAN quality: the time-axis augmentation (along time only, seeded,
// exact first- and second-order gradients), ADA's probability update, the EMA half-life schedule,
// GAN-test against a classifier's own accuracy, GAN-train as its definition, and the SWD of a run.
#include <cmath>
#include <optional>

#include "data/dataset.h"
#include "nets/classification_metrics.h"
#include "nets/classifier_trainer.h"
#include "nets/gan_quality.h"
#include "nets/progan_trainer.h"
#include "nets/time_augment.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::nets;
using gg::testing::random_f64;

namespace {

// (2, 1, 3, 4) with values n*100 + h*10 + w, so every element says where it came from.
Tensor positions() {
  std::vector<double> v;
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 4; ++w) v.push_back(n * 100 + h * 10 + w);
  return Tensor::from_vector(v, {2, 1, 3, 4});
}

// Three classes of 8x8 stripes at different heights, on noise; image i is of class i % 3.
const std::vector<std::string> kStripeClasses{"Blip", "Koi_Fish", "Tomte"};
data::Dataset stripes(int n, std::uint64_t seed, const std::vector<std::string>& classes = kStripeClasses) {
  const int size = 8;
  std::vector<std::uint8_t> pixels;
  std::vector<int> labels;
  Generator noise(seed);
  for (int i = 0; i < n; ++i) {
    const int k = i % 3;
    labels.push_back(k);
    for (int p = 0; p < size * size; ++p)
      pixels.push_back(static_cast<std::uint8_t>(p / size / 3 == k ? 200 : 40 + 40 * noise.uniform()));
  }
  return data::Dataset(classes, 1, size, size, pixels, labels, std::vector<data::SampleInfo>(static_cast<std::size_t>(n)));
}

}  // namespace

TEST_CASE("time augment: a roll moves columns only, circularly, by each image's own shift") {
  const std::vector<double> out = roll_time(positions(), {1, -2}).to_vector<double>();
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 3; ++h)
      for (int w = 0; w < 4; ++w) {
        const int shift = n == 0 ? 1 : -2;
        const int source = ((w - shift) % 4 + 4) % 4;
        CHECK(out[static_cast<std::size_t>(n * 12 + h * 4 + w)] == n * 100 + h * 10 + source);
      }
  CHECK(roll_time(positions(), {0, 4}).to_vector<double>() == positions().to_vector<double>());
}

TEST_CASE("time augment: a cutout zeroes whole columns (every frequency) and nothing else") {
  const TimeAugmentDraw draw{.shifts = {0, 0}, .cut_begin = {1, 0}, .cut_width = {2, 0}};
  const std::vector<double> out = time_augment(positions(), draw).to_vector<double>();
  const std::vector<double> in = positions().to_vector<double>();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::size_t n = i / 12, w = i % 4;
    const bool cut = n == 0 && (w == 1 || w == 2);
    CHECK(out[i] == (cut ? 0.0 : in[i]));
  }
}

TEST_CASE("time augment: draws are seeded, respect p and the limits, and p 0 changes nothing") {
  TimeAugmentOptions o{.probability = 0.5, .max_shift = 0.125, .cutout = 0.25};
  Generator a(7), b(7);
  const TimeAugmentDraw da = draw_time_augment(400, 32, 0.5, o, a), db = draw_time_augment(400, 32, 0.5, o, b);
  CHECK(da.shifts == db.shifts);
  CHECK(da.cut_begin == db.cut_begin);
  int shifted = 0, cut = 0;
  for (std::size_t i = 0; i < 400; ++i) {
    CHECK(std::abs(da.shifts[i]) <= 4);
    CHECK((da.cut_width[i] == 0 || (da.cut_width[i] == 8 && da.cut_begin[i] >= 0 && da.cut_begin[i] + 8 <= 32)));
    shifted += da.shifts[i] != 0;
    cut += da.cut_width[i] != 0;
  }
  // p = 0.5; a shift of 0 is also drawn 1 time in 9 when applied.
  CHECK(shifted > 400 * 0.5 * 8 / 9 - 40);
  CHECK(shifted < 400 * 0.5 * 8 / 9 + 40);
  CHECK(cut > 160);
  CHECK(cut < 240);
  Generator c(7);
  const Tensor x = random_f64({3, 1, 4, 8}, 3);
  CHECK(time_augment(x, draw_time_augment(3, 8, 0.0, o, c)).to_vector<double>() == x.to_vector<double>());
  CHECK(a.offset() == c.offset() + 4 * (400 - 3));  // four draws per image whatever p is
}

TEST_CASE("time augment: first- and second-order gradients through roll and cutout (the gradient-penalty path)") {
  const TimeAugmentDraw draw{.shifts = {3, -1, 0}, .cut_begin = {0, 2, 5}, .cut_width = {2, 3, 0}};
  const testing::Fn f = [&](const std::vector<Tensor>& v) {
    // Squared so that the second derivative is not zero.
    return square(time_augment(v[0], draw));
  };
  const Tensor x = random_f64({3, 2, 2, 8}, 4);
  testing::check_gradients(f, {x});
  testing::check_second_order(f, {x});
  // As in WGAN-GP: the input gradient's norm, differentiated again through the augmentation.
  const Tensor w = random_f64({2, 2, 3, 3}, 5);
  const testing::Fn penalty = [&](const std::vector<Tensor>& v) {
    const Tensor& xin = v[0];
    const Tensor d = sum(leaky_relu(conv2d(time_augment(xin, draw), v[1], {}, {1, 1}), 0.2), {1, 2, 3});
    const Tensor g = grad({sum(d)}, {xin}, {}, {.create_graph = true})[0];
    return square(sum(square(g), {1, 2, 3}));
  };
  testing::check_gradients(penalty, {x, w}, {.eps = 1e-6, .atol = 1e-6, .rtol = 1e-4});
}

TEST_CASE("time augment: ADA moves p by images / (ada_kimg * 1000) towards less overfitting, within [0, 1]") {
  TimeAugmentOptions o{.probability = 0, .adaptive = true, .ada_target = 0.6, .ada_kimg = 10};
  CHECK(adapted_probability(0.2, 0.9, 1000, o) == doctest::Approx(0.3));
  CHECK(adapted_probability(0.2, 0.1, 1000, o) == doctest::Approx(0.1));
  CHECK(adapted_probability(0.05, 0.1, 1000, o) == 0);
  CHECK(adapted_probability(0.95, 1.0, 1000, o) == 1);
  o.adaptive = false;
  CHECK(adapted_probability(0.2, 0.9, 1000, o) == 0.2);
  CHECK_THROWS_WITH_AS((TimeAugmentOptions{.probability = 1.5}).validate(), doctest::Contains("probability"),
                       std::invalid_argument);
}

TEST_CASE("EMA: beta from the half-life in images, ramped up with the images shown") {
  const EmaOptions ema{.half_life_kimg = 10, .rampup = 0.05};
  // 1000 images shown: half-life min(10000, 50) = 50 images, so beta = 0.5^(16 / 50).
  CHECK(ema_beta(ema, 1000, 16) == doctest::Approx(std::pow(0.5, 16.0 / 50)));
  // 1e6 shown: the ramp no longer binds; 625 steps of 16 images halve the old weights.
  const double beta = ema_beta(ema, 1'000'000, 16);
  CHECK(beta == doctest::Approx(std::pow(0.5, 16.0 / 10000)));
  CHECK(std::pow(beta, 625) == doctest::Approx(0.5));
  // No ramp-up: the official fixed beta 0.999 at batch 16 is a half-life of 693 steps, 11.09 kimg.
  CHECK(ema_beta({.half_life_kimg = 16 * std::log(0.5) / std::log(0.999) / 1000, .rampup = 0}, 16, 16) ==
        doctest::Approx(0.999));
  CHECK(ema_beta({.half_life_kimg = 0, .rampup = 0.05}, 1000, 16) == 0);  // Gs follows G exactly
}

TEST_CASE("EMA: the per-level ramp-up counts from the kimg at which each level joins") {
  ScheduleConfig s;
  s.final_level = 5;  // 4x4 [0, 6), fade 8x8 [6, 9), 8x8 [9, 15), fade 16x16 [15, 18), ... 32x32 from 24
  s.stabilize_kimg = 6;
  s.fade_kimg = 3;
  CHECK(level_start_kimg(s, 2) == 0);
  CHECK(level_start_kimg(s, 3) == 6);
  CHECK(level_start_kimg(s, 4) == 15);
  CHECK(level_start_kimg(s, 5) == 24);
  // Each start is where the schedule first runs that level, in its fade.
  for (int level = 3; level <= 5; ++level) {
    const SchedulePoint at = schedule_at(s, level_start_kimg(s, level) + 1e-9);
    CHECK(at.level == level);
    CHECK(at.phase == Phase::fade);
    CHECK(schedule_at(s, level_start_kimg(s, level) - 1e-9).level == level - 1);
  }
}

TEST_CASE("GAN-test: a 'generator' that returns the real images scores the classifier's accuracy on them") {
  // Stripes and an untrained (so imperfect) classifier.
  const int size = 8;
  const data::Dataset reals = stripes(30, 3);
  const std::vector<std::string>& classes = kStripeClasses;
  Generator init(1);
  GlitchClassifier judge({.channels = 1, .resolution = size, .num_classes = 3, .widths = {8, 16}}, init);
  judge.eval();
  const Predictions p = predict(judge, reals, 16, Device::cpu());
  const double accuracy = evaluate_predictions(reals.labels(), p.predicted, 3).accuracy;
  const GanTestResult r = gan_test(judge, classes, reals, 16, Device::cpu());
  CHECK(r.accuracy == accuracy);
  CHECK(r.images == 30);
  REQUIRE(r.per_class.size() == 3);

  // Classes are matched by name: the judge may order them differently or know more of them.
  const std::vector<std::string> judge_order{"Tomte", "Blip", "Koi_Fish"};
  const data::Dataset reordered = reals.with_classes(judge_order);
  REQUIRE(reordered.label(0) == 1);  // a Blip
  CHECK(gan_test(judge, classes, reordered, 16, Device::cpu()).accuracy == accuracy);
  const data::Dataset unknown = stripes(30, 3, {"Blip", "Koi_Fish", "Whistle"});
  CHECK_THROWS_WITH_AS(gan_test(judge, classes, unknown, 16, Device::cpu()), doctest::Contains("Whistle"),
                       std::invalid_argument);
}

TEST_CASE("GAN-train: a classifier trained on the generated images alone, scored on the real test images") {
  const data::Dataset generated = stripes(60, 1), validation = stripes(30, 2), test = stripes(45, 3);
  ClassifierTrainOptions o;
  o.net = {.channels = 1, .resolution = 8, .num_classes = 3, .widths = {8, 16}};
  o.epochs = 8;
  o.batch = 8;
  o.batch_norm_images = 60;
  const GanTrainResult r = gan_train(generated, validation, test, o);
  const ClassifierTrainResult direct = train_classifier(generated, validation, o);
  const Predictions p = predict(*direct.model, test, o.batch, o.device);
  const ClassificationReport expected = evaluate_predictions(test.labels(), p.predicted, 3);
  CHECK(r.test.accuracy == expected.accuracy);
  CHECK(r.test.macro_f1 == expected.macro_f1);
  CHECK(r.trained.best_epoch == direct.best_epoch);
  CHECK(r.test.accuracy > 0.9);  // the stripes are easy: the generated set covers the classes
  const data::Dataset other = stripes(45, 3, {"Blip", "Koi_Fish", "Whistle"});
  CHECK_THROWS_WITH_AS(gan_train(generated, validation, other, o), doctest::Contains("label space"), std::invalid_argument);
}

TEST_CASE("SWD of a run: none below the 7x7 neighbourhood; seeded; the real floor below a barely trained generator") {
  const data::Dataset reals = stripes(96, 4);
  ProganTrainConfig c;
  c.net = {.resolution = 8, .channels = 1, .fmap_base = 64, .fmap_max = 16, .num_classes = 3};
  c.schedule.stabilize_kimg = 0.064;
  c.schedule.fade_kimg = 0.064;
  c.schedule.set_constant_batch(8);
  c.class_names = kStripeClasses;
  c.seed = 5;
  ProganTrainer trainer(c, reals);
  CHECK_FALSE(swd_run(trainer, reals, 32, 16).has_value());  // 4x4
  while (trainer.next_point().resolution < 8) trainer.train_round();
  const std::optional<SwdPair> a = swd_run(trainer, reals, 32, 16), b = swd_run(trainer, reals, 32, 16);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->ema == b->ema);
  CHECK(a->raw == b->raw);
  CHECK(a->real_floor == b->real_floor);
  CHECK(a->real_floor > 0);
  CHECK(a->real_floor < a->raw);
  CHECK(a->real_floor < a->ema);
  CHECK_FALSE(swd_run(trainer, stripes(1, 4), 32, 16).has_value());
}

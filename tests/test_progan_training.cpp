// ProGAN training: the exact WGAN-GP losses, the kimg schedule and the faded reals, the image
// metrics (SWD, MS-SSIM), checkpoints and bit-identical resume, and a short real training run.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "engine/serialize.h"
#include "nets/checkpoint_format.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_metrics.h"
#include "nets/progan_run.h"
#include "nets/progan_schedule.h"
#include "nets/progan_trainer.h"
#include "nets/stop_signal.h"
#include "nets/wgan_gp.h"
#include "tests/temp_dir.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::nets;
using gg::testing::check_close;
using gg::testing::random_f64;

namespace {

// A small conv critic in double: lrelu(conv3x3) -> avgpool -> linear, one score per image.
Tensor small_critic(const Tensor& x, const std::vector<Tensor>& w) {
  const Tensor h = avg_pool2x2(leaky_relu(conv2d(x, w[0], w[1], {1, 1}), 0.2));
  return linear(h.flatten(1), w[2], w[3]);
}

std::vector<Tensor> small_critic_weights() {
  return {random_f64({3, 2, 3, 3}, 21), random_f64({3}, 22), random_f64({1, 12}, 23), random_f64({1}, 24)};
}

}  // namespace

TEST_CASE("progan training: WGAN-GP loss of a linear critic equals the hand-computed value") {
  // D(x) = <w, x> + b has the same input gradient w for every image, so ||grad|| = ||w|| = 2 and
  // every per-sample penalty is (2 - 1)^2 = 1.
  const Tensor w = Tensor::from_vector(std::vector<double>{1, 1, 1, 1}, {1, 4});
  const Tensor b = Tensor::from_vector(std::vector<double>{0.5}, {1});
  const Critic critic = [&](const Tensor& x) { return linear(x.flatten(1), w, b); };
  const Tensor reals = Tensor::from_vector(std::vector<double>{1, 2, 3, 4, 0, 0, 0, 1}, {2, 1, 2, 2});
  const Tensor fakes = Tensor::from_vector(std::vector<double>{0, 0, 0, 0, 1, 1, 1, 1}, {2, 1, 2, 2});
  const Tensor mixing = Tensor::from_vector(std::vector<double>{0.25, 0.75}, {2, 1, 1, 1});
  const DiscriminatorLoss loss = discriminator_loss(critic, reals, fakes, mixing, {});
  // Scores: reals 10.5 and 1.5, fakes 0.5 and 4.5.
  const double real_mean = (10.5 + 1.5) / 2, fake_mean = (0.5 + 4.5) / 2;
  const double drift = (10.5 * 10.5 + 1.5 * 1.5) / 2;
  CHECK(loss.real_score == doctest::Approx(real_mean).epsilon(1e-12));
  CHECK(loss.fake_score == doctest::Approx(fake_mean).epsilon(1e-12));
  CHECK(loss.gradient_penalty == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(loss.drift == doctest::Approx(drift).epsilon(1e-12));
  CHECK(loss.loss.item() == doctest::Approx(fake_mean - real_mean + 10.0 * 1.0 + 0.001 * drift).epsilon(1e-12));
  // lambda / target^2 weighting: target 2 makes the penalty (2 - 2)^2 = 0.
  CHECK(discriminator_loss(critic, reals, fakes, mixing, {}, {.target = 2.0}).gradient_penalty == doctest::Approx(0.0));

  const GeneratorLoss g = generator_loss(critic, fakes, {});
  CHECK(g.loss.item() == doctest::Approx(-fake_mean).epsilon(1e-12));
}

TEST_CASE("progan training: gradient penalty equals finite differences of the critic") {
  const std::vector<Tensor> w = small_critic_weights();
  const Tensor reals = random_f64({3, 2, 4, 4}, 31), fakes = random_f64({3, 2, 4, 4}, 32);
  const Tensor mixing = Tensor::from_vector(std::vector<double>{0.1, 0.5, 0.9}, {3, 1, 1, 1});
  const Critic critic = [&](const Tensor& x) { return small_critic(x, w); };
  const std::vector<double> penalty = gradient_penalty(critic, reals, fakes, mixing, 1.0).to_vector<double>();

  // By hand: x_hat_i, then ||dD_i/dx_hat_i|| by central differences (this critic treats images
  // independently), then (norm - 1)^2.
  const Tensor mixed = lerp(reals, fakes, mixing).clone();
  double* x = mixed.data<double>();
  const std::int64_t per_image = 2 * 4 * 4;
  const double eps = 1e-6;
  for (int i = 0; i < 3; ++i) {
    double norm_sq = 0;
    for (std::int64_t j = i * per_image; j < (i + 1) * per_image; ++j) {
      const double orig = x[j];
      x[j] = orig + eps;
      const double up = small_critic(mixed, w).to_vector<double>()[static_cast<std::size_t>(i)];
      x[j] = orig - eps;
      const double down = small_critic(mixed, w).to_vector<double>()[static_cast<std::size_t>(i)];
      x[j] = orig;
      norm_sq += std::pow((up - down) / (2 * eps), 2);
    }
    CHECK(penalty[static_cast<std::size_t>(i)] == doctest::Approx(std::pow(std::sqrt(norm_sq) - 1, 2)).epsilon(1e-6));
  }
}

TEST_CASE("progan training: D loss gradient w.r.t. the critic's weights (double backward) matches finite differences") {
  const Tensor reals = random_f64({4, 2, 4, 4}, 41), fakes = random_f64({4, 2, 4, 4}, 42);
  const Tensor mixing = Tensor::from_vector(std::vector<double>{0.2, 0.4, 0.6, 0.8}, {4, 1, 1, 1});
  auto d_loss = [&](const std::vector<Tensor>& w) {
    const Critic critic = [&](const Tensor& x) { return small_critic(x, w); };
    return discriminator_loss(critic, reals, fakes, mixing, {}).loss;
  };
  testing::check_gradients(d_loss, small_critic_weights(), {.eps = 1e-6, .atol = 1e-6, .rtol = 1e-4});
}

TEST_CASE("progan training: conditional losses add the auxiliary cross-entropies") {
  // A critic with 1 score + 3 class logits: a linear map of the flattened image.
  const Tensor w = random_f64({4, 8}, 51);
  const Critic critic = [&](const Tensor& x) { return linear(x.flatten(1), w); };
  const Critic score_only = [&](const Tensor& x) { return slice(linear(x.flatten(1), w), 1, 0, 1); };
  const Tensor reals = random_f64({2, 2, 2, 2}, 52), fakes = random_f64({2, 2, 2, 2}, 53);
  const Tensor mixing = Tensor::from_vector(std::vector<double>{0.3, 0.6}, {2, 1, 1, 1});
  const std::vector<int> labels{2, 0};
  const double plain = discriminator_loss(score_only, reals, fakes, mixing, {}).loss.item();
  const DiscriminatorLoss cond = discriminator_loss(critic, reals, fakes, mixing, labels);
  const double ce_real = cross_entropy(slice(critic(reals), 1, 1, 4), labels).item();
  const double ce_fake = cross_entropy(slice(critic(fakes), 1, 1, 4), labels).item();
  CHECK(cond.loss.item() == doctest::Approx(plain + ce_real + ce_fake).epsilon(1e-12));
  CHECK(cond.label_loss == doctest::Approx(ce_real + ce_fake).epsilon(1e-12));
  const GeneratorLoss g = generator_loss(critic, fakes, labels);
  CHECK(g.loss.item() == doctest::Approx(generator_loss(score_only, fakes, {}).loss.item() + ce_fake).epsilon(1e-12));
  CHECK_THROWS_AS(discriminator_loss(critic, reals, fakes, mixing, {}), std::invalid_argument);

  // Weighted, and with D's class head on the reals only: G's loss keeps its fake term.
  const WganGpOptions reals_only{.cond_weight = 3, .classify_fakes = false};
  const DiscriminatorLoss d_real = discriminator_loss(critic, reals, fakes, mixing, labels, reals_only);
  CHECK(d_real.loss.item() == doctest::Approx(plain + 3 * ce_real).epsilon(1e-12));
  CHECK(d_real.label_loss == doctest::Approx(ce_real).epsilon(1e-12));
  const GeneratorLoss g_weighted = generator_loss(critic, fakes, labels, reals_only);
  CHECK(g_weighted.loss.item() == doctest::Approx(generator_loss(score_only, fakes, {}).loss.item() + 3 * ce_fake).epsilon(1e-12));
}

TEST_CASE("progan training: schedule level, alpha, phase and batch at chosen kimg") {
  ScheduleConfig c;
  c.final_level = 4;  // 16x16: 4x4, fade, 8x8, fade, 16x16
  struct Expect {
    double kimg;
    int level;
    double alpha;
    Phase phase;
    int phase_index;
  };
  for (const Expect& e : {Expect{0, 2, 1.0, Phase::stabilize, 0}, Expect{599, 2, 1.0, Phase::stabilize, 0},
                          Expect{600, 2, 1.0, Phase::stabilize, 0}, Expect{750, 3, 0.25, Phase::fade, 1},
                          Expect{900, 3, 0.5, Phase::fade, 1}, Expect{1200, 3, 1.0, Phase::stabilize, 2},
                          Expect{2100, 4, 0.5, Phase::fade, 3}, Expect{2400, 4, 1.0, Phase::stabilize, 4},
                          Expect{9000, 4, 1.0, Phase::stabilize, 4}}) {
    INFO("kimg " << e.kimg);
    const SchedulePoint p = schedule_at(c, e.kimg);
    CHECK(p.level == e.level);
    CHECK(p.resolution == (1 << e.level));
    CHECK(p.alpha == doctest::Approx(e.alpha));
    CHECK(p.phase == e.phase);
    CHECK(p.phase_index == e.phase_index);
    CHECK(p.batch == 128);  // the official single-GPU preset at 4, 8 and 16
  }
  CHECK(schedule_at(c, 900).lod == doctest::Approx(1.5));
  CHECK(c.run_kimg() == doctest::Approx(3000));

  c.final_level = 6;
  CHECK(schedule_at(c, 3000).batch == 128);  // 16x16 stabilize
  CHECK(schedule_at(c, 4000).batch == 64);   // 32x32 stabilize
  CHECK(schedule_at(c, 5000).batch == 32);  // 64x64 stabilize
  c.set_constant_batch(12);
  CHECK(schedule_at(c, 5000).batch == 12);

  ScheduleConfig quick;
  quick.final_level = 3;
  quick.stabilize_kimg = 2;
  quick.fade_kimg = 1;
  CHECK(schedule_at(quick, 2.5).alpha == doctest::Approx(0.5));
  CHECK(schedule_at(quick, 2.5).level == 3);
  CHECK(quick.run_kimg() == doctest::Approx(5));

  // Optimizers reset when floor(lod) or ceil(lod) changes: at the first round, when a fade
  // starts and when it ends; not within a phase.
  CHECK(optimizer_reset_between(-1, 2));
  CHECK_FALSE(optimizer_reset_between(2, 2));
  CHECK(optimizer_reset_between(2, 1.75));
  CHECK_FALSE(optimizer_reset_between(1.75, 1.5));
  CHECK(optimizer_reset_between(1.25, 1));
}

TEST_CASE("progan training: reals are box-downsampled and faded like the official process_reals") {
  std::vector<float> v(64);
  for (int i = 0; i < 64; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>((i * 37) % 11) / 10.0f;
  const Tensor img = Tensor::from_vector(v, {1, 1, 8, 8});
  // Level 2 (4x4) stabilize: the 8x8 image's 2x2-block means.
  const std::vector<float> low = process_reals(img, 2, 1.0).to_vector<float>();
  REQUIRE(low.size() == 16);
  for (int by = 0; by < 4; ++by)
    for (int bx = 0; bx < 4; ++bx) {
      double s = 0;
      for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x) s += v[static_cast<std::size_t>((by * 2 + y) * 8 + bx * 2 + x)];
      CHECK(low[static_cast<std::size_t>(by * 4 + bx)] == doctest::Approx(s / 4).epsilon(1e-6));
    }
  // Level 3 fading in at alpha 0.25: 0.75 * (its 2x2-block means, repeated) + 0.25 * itself.
  const std::vector<float> faded = process_reals(img, 3, 0.25).to_vector<float>();
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const int y0 = y / 2 * 2, x0 = x / 2 * 2;
      const double block = (v[static_cast<std::size_t>(y0 * 8 + x0)] + v[static_cast<std::size_t>(y0 * 8 + x0 + 1)] +
                            v[static_cast<std::size_t>((y0 + 1) * 8 + x0)] + v[static_cast<std::size_t>((y0 + 1) * 8 + x0 + 1)]) / 4;
      const double expected = 0.75 * block + 0.25 * v[static_cast<std::size_t>(y * 8 + x)];
      CHECK(faded[static_cast<std::size_t>(y * 8 + x)] == doctest::Approx(expected).epsilon(1e-6));
    }
  check_close(process_reals(img, 3, 1.0), img, 0, 0);
}

namespace {

// Smooth random images: a few Gaussian blobs of random place, size and brightness, in [-1, 1].
Tensor blob_images(int count, int size, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<float> v(static_cast<std::size_t>(count) * size * size, -1.0f);
  for (int n = 0; n < count; ++n)
    for (int k = 0; k < 3; ++k) {
      const double cx = gen.uniform() * size, cy = gen.uniform() * size;
      const double r = 1.5 + gen.uniform() * size / 6.0, a = 0.5 + gen.uniform();
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
          float& p = v[(static_cast<std::size_t>(n) * size + y) * size + x];
          p = std::min(1.0f, p + static_cast<float>(a * std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * r * r))));
        }
    }
  return Tensor::from_vector(v, {count, 1, size, size});
}

Tensor with_noise(const Tensor& images, double amplitude, std::uint64_t seed) {
  Generator gen(seed);
  return add(images, mul(Tensor::randn(images.shape(), gen), amplitude));
}

double swd_mean(const Tensor& a, const Tensor& b, std::uint64_t seed) {
  SwdOptions o;
  o.dir_repeats = 1;  // enough to rank these sets, and 4x faster
  Generator pick(seed), dirs(seed + 1);
  const SwdDescriptors da = swd_descriptors(to_byte_images(a), o, pick);
  const SwdDescriptors db = swd_descriptors(to_byte_images(b), o, pick);
  return sliced_wasserstein(da, db, o, dirs).mean;
}

}  // namespace

TEST_CASE("progan training: SWD is zero for identical sets and grows as the distributions part") {
  const Tensor real = blob_images(48, 32, 1);
  const SwdOptions o;
  Generator pick(7), dirs(8);
  const SwdDescriptors d = swd_descriptors(to_byte_images(real), o, pick);
  CHECK(d.resolutions == std::vector<int>{32, 16});
  CHECK(d.rows == 48 * 128);
  CHECK(d.dim == 49);
  const SwdResult same = sliced_wasserstein(d, d, o, dirs);
  REQUIRE(same.distances.size() == 2);
  CHECK(same.mean == 0.0);

  // Another sample of the same distribution is close; noisier and noisier sets drift away.
  const double resample = swd_mean(real, blob_images(48, 32, 2), 11);
  const double small = swd_mean(real, with_noise(real, 0.1, 3), 11);
  const double medium = swd_mean(real, with_noise(real, 0.3, 3), 11);
  const double large = swd_mean(real, with_noise(real, 1.0, 3), 11);
  INFO("resample " << resample << ", noise 0.1 " << small << ", 0.3 " << medium << ", 1.0 " << large);
  CHECK(resample < medium);
  CHECK(small < medium);
  CHECK(medium < large);
  CHECK(large > 3 * resample);
}

TEST_CASE("progan training: MS-SSIM of an image with itself is 1, and matches a hand-computed case") {
  const ByteImages a = to_byte_images(blob_images(4, 32, 5));
  CHECK(ms_ssim(a, a) == doctest::Approx(1.0).epsilon(1e-12));
  const ByteImages noisy = to_byte_images(with_noise(blob_images(4, 32, 5), 0.2, 6));
  const ByteImages noisier = to_byte_images(with_noise(blob_images(4, 32, 5), 0.6, 6));
  CHECK(ms_ssim(a, noisy) < 1.0);
  CHECK(ms_ssim(a, noisier) < ms_ssim(a, noisy));

  // Two flat images of levels p and q: every contrast-structure term is c2 / c2 = 1, so
  // MS-SSIM = luminance^w5 = ((2pq + c1) / (p^2 + q^2 + c1))^0.1333, c1 = (0.01 * 255)^2.
  ByteImages flat;
  flat.count = 2, flat.channels = 1, flat.height = flat.width = 16;
  flat.values.assign(2 * 256, 100.0f);
  std::fill(flat.values.begin() + 256, flat.values.end(), 150.0f);
  const double c1 = std::pow(0.01 * 255, 2);
  const double expected = std::pow((2 * 100.0 * 150 + c1) / (100.0 * 100 + 150.0 * 150 + c1), 0.1333);
  CHECK(ms_ssim_of_pairs(flat) == doctest::Approx(expected).epsilon(1e-12));

  ByteImages tiny = flat;
  tiny.height = tiny.width = 8;
  tiny.values.resize(2 * 64);
  CHECK_THROWS_AS(ms_ssim_of_pairs(tiny), std::invalid_argument);
}

// ---- Training: checkpoints, resume, a short real run ----

namespace {

namespace fs = std::filesystem;

using gg::testing::TempDir;

// `count` blob images as a one-class data set (bytes, as a loaded data set holds them).
data::Dataset blob_dataset(int count, int size, std::uint64_t seed) {
  const ByteImages bytes = to_byte_images(blob_images(count, size, seed));
  std::vector<std::uint8_t> pixels(bytes.values.begin(), bytes.values.end());
  return data::Dataset({"Blob"}, 1, size, size, std::move(pixels), std::vector<int>(static_cast<std::size_t>(count), 0),
                       std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

// A tiny run: 8x8, 16 feature maps, phases of 64 images, rounds of 2 x 8 images.
ProganTrainConfig tiny_config() {
  ProganTrainConfig c;
  c.net = {.resolution = 8, .channels = 1, .fmap_base = 64, .fmap_max = 16};
  c.schedule.stabilize_kimg = 0.064;
  c.schedule.fade_kimg = 0.064;
  c.schedule.set_constant_batch(8);
  c.schedule.minibatch_repeats = 2;
  c.seed = 5;
  c.class_names = {"Blob"};
  c.grid_count = 4;
  return c;
}

bool same_tensors(const TensorMap& a, const TensorMap& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, t] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.shape() != t.shape()) return false;
    if (t.to_vector<double>() != it->second.to_vector<double>()) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("progan training: checkpoint round trip restores every tensor and the state") {
  TempDir tmp("gg_progan_checkpoint");
  const data::Dataset data = blob_dataset(32, 8, 1);
  ProganTrainer trainer(tiny_config(), data);
  trainer.train_round();
  trainer.train_round();
  const fs::path file = tmp.path() / "run.safetensors";
  save_checkpoint(trainer, file);
  CHECK(fs::exists(tmp.path() / "run.json"));

  const Checkpoint loaded = read_checkpoint(file);
  CHECK(config_to_json(loaded.config) == config_to_json(trainer.config()));
  ProganTrainConfig weighted = tiny_config();
  weighted.loss.cond_weight = 3;
  weighted.loss.classify_fakes = false;
  const ProganTrainConfig weighted_back = config_from_json(config_to_json(weighted));
  CHECK(weighted_back.loss.cond_weight == 3);
  CHECK_FALSE(weighted_back.loss.classify_fakes);
  // A checkpoint from before the per-level ramp-up goes on ramping over the whole run; one whose
  // EMA lacks a field it always had is still an error.
  nlohmann::json legacy = nlohmann::json::parse(config_to_json(tiny_config()));
  legacy["ema"].erase("rampup_per_level");
  CHECK_FALSE(config_from_json(legacy.dump()).ema.rampup_per_level);
  legacy["ema"].erase("rampup");
  CHECK_THROWS(config_from_json(legacy.dump()));
  CHECK(loaded.state.step == 4);
  CHECK(loaded.state.images_shown == 32);
  CHECK(loaded.state.latents.offset == trainer.state().latents.offset);
  CHECK(loaded.state.data_position == 32);
  CHECK(same_tensors(loaded.tensors, trainer.tensors()));
  CHECK(loaded.tensors.count("G_opt.step") == 1);
  CHECK(loaded.tensors.count("Gs.4x4.dense.weight") == 1);

  ProganTrainer other(tiny_config(), data);
  CHECK_FALSE(same_tensors(other.tensors(), trainer.tensors()));
  restore_checkpoint(other, loaded, file);
  CHECK(same_tensors(other.tensors(), trainer.tensors()));

  // The file says its format; one from a newer glitchgan is refused by name.
  SafetensorsFile raw = load_safetensors(file.string());
  CHECK(raw.metadata.at(kFormatKey) == std::to_string(kFormatVersion));
  raw.metadata[kFormatKey] = std::to_string(kFormatVersion + 1);
  save_safetensors(file.string(), raw.tensors, raw.metadata);
  CHECK_THROWS_WITH_AS(read_checkpoint(file), doctest::Contains("run.safetensors: written in checkpoint format 2 by a newer"),
                       std::runtime_error);

  ProganTrainConfig changed = tiny_config();
  changed.net.fmap_max = 8;
  ProganTrainer mismatched(changed, data);
  CHECK_THROWS_WITH_AS(restore_checkpoint(mismatched, loaded, file), doctest::Contains("/net/fmap_max"), std::runtime_error);
  CHECK_THROWS_WITH_AS(read_checkpoint(tmp.path() / "missing.safetensors"), doctest::Contains("missing.safetensors"),
                       std::runtime_error);
}

TEST_CASE("progan training: a resumed run is bit-identical to an uninterrupted one") {
  TempDir tmp("gg_progan_resume");
  const data::Dataset data = blob_dataset(24, 8, 2);  // 24 images: epochs end inside batches
  auto losses_of = [](const RoundReport& r) { return std::vector<double>{r.mean.d_loss, r.mean.g_loss, r.mean.gradient_penalty}; };
  ProganTrainConfig augmented = tiny_config();
  // ADA fast enough to move p within the run: its state and the augmentation's stream must resume too.
  augmented.augment = {.probability = 0.5, .adaptive = true, .ada_target = 0.6, .ada_kimg = 0.05};
  for (const ProganTrainConfig& config : {tiny_config(), augmented}) {
    CAPTURE(config.augment.enabled());
    ProganTrainer whole(config, data);
    std::vector<std::vector<double>> whole_losses;
    while (!whole.finished()) whole_losses.push_back(losses_of(whole.train_round()));
    REQUIRE(whole_losses.size() == 12);  // 4x4 (4 rounds), fade (4), 8x8 (4)

    // Stopped mid-fade (after round 6), saved, and continued by a new trainer from the file.
    ProganTrainer first(config, data);
    std::vector<std::vector<double>> resumed_losses;
    for (int i = 0; i < 6; ++i) resumed_losses.push_back(losses_of(first.train_round()));
    save_checkpoint(first, tmp.path() / "ckpt.safetensors");
    ProganTrainer second(config, data);
    restore_checkpoint(second, read_checkpoint(tmp.path() / "ckpt.safetensors"), tmp.path() / "ckpt.safetensors");
    while (!second.finished()) resumed_losses.push_back(losses_of(second.train_round()));

    CHECK(resumed_losses == whole_losses);  // exact, not approximate
    CHECK(same_tensors(second.tensors(), whole.tensors()));
    CHECK(second.state().latents.offset == whole.state().latents.offset);
    CHECK(second.state().augment.offset == whole.state().augment.offset);
    CHECK(second.state().augment_probability == whole.state().augment_probability);
    CHECK(second.state().data_position == whole.state().data_position);
    if (config.augment.enabled()) CHECK(whole.state().augment_probability != 0.5);  // ADA moved it
  }
}

TEST_CASE("progan training: the run folder holds log, grids and checkpoint, a NaN stops it and keeps the checkpoint") {
  TempDir tmp("gg_progan_run");
  const data::Dataset data = blob_dataset(32, 8, 3);
  ProganTrainConfig config = tiny_config();
  ProganTrainer trainer(config, data);
  std::vector<std::string> lines;
  RunOptions options;
  options.out = tmp.path();
  options.checkpoint_kimg = 1;
  options.print = [&](const std::string& s) { lines.push_back(s); };
  const RunSummary summary = run_training(trainer, options, false);
  CHECK(summary.steps == 24);
  CHECK(!lines.empty());
  CHECK(lines.back().find("kimg") != std::string::npos);
  for (const char* grid : {"phase-00-stabilize-4x4.png", "phase-01-fade-8x8.png", "phase-02-stabilize-8x8.png"}) {
    CHECK(fs::exists(tmp.path() / "samples" / grid));
  }
  std::ifstream log(tmp.path() / "log.jsonl");
  int log_lines = 0;
  for (std::string line; std::getline(log, line);) ++log_lines;
  CHECK(log_lines == 12);

  // Go on for longer with one of D's weights poisoned: the first D loss is NaN.
  const fs::path file = checkpoint_path(tmp.path());
  const Checkpoint saved = read_checkpoint(file);
  config.schedule.total_kimg = 0.5;
  ProganTrainer longer(config, data);
  TensorMap poisoned = saved.tensors;
  poisoned.at("D.4x4.dense1.weight") = Tensor::full(poisoned.at("D.4x4.dense1.weight").shape(), NAN);
  longer.restore(poisoned, saved.state);
  const auto before = fs::last_write_time(file);
  options.print = nullptr;
  CHECK_THROWS_WITH_AS(run_training(longer, options, true), doctest::Contains("the discriminator loss is nan at step 25"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(run_training(longer, options, true), doctest::Contains("is kept"), std::runtime_error);
  CHECK(fs::last_write_time(file) == before);
  CHECK(read_checkpoint(file).state.step == 24);
}

TEST_CASE("progan training: a NaN that appears at step k mid-run stops it there, naming the step and the last good "
          "checkpoint, which is left as it was") {
  TempDir tmp("gg_progan_nan_mid_run");
  const data::Dataset data = blob_dataset(32, 8, 3);
  ProganTrainer trainer(tiny_config(), data);
  RunOptions options;
  options.out = tmp.path();
  options.checkpoint_kimg = 0.05;  // batch 8: checkpoints at steps 8 (0.064 kimg, a phase end too) and 14 (0.112)
  options.progress_seconds = 0;    // a progress line after every round (2 steps)
  int rounds = 0;
  options.print = [&](const std::string&) {
    // After round 7 (step 14, just checkpointed) a weight of D turns NaN in place: step 15's D loss is NaN.
    if (++rounds == 7) trainer.tensors().at("D.4x4.dense1.weight").fill_(NAN);
  };
  const fs::path file = checkpoint_path(tmp.path());
  std::string error;
  try {
    run_training(trainer, options, false);
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  CHECK(error.find("the discriminator loss is nan at step 15") != std::string::npos);
  CHECK(error.find(fmt::format("the last good checkpoint {} (kimg 0.1) is kept", file.string())) != std::string::npos);
  const Checkpoint kept = read_checkpoint(file);
  CHECK(kept.state.step == 14);
  for (const auto& [name, t] : kept.tensors) {
    const std::vector<double> values = t.to_vector<double>();
    CHECK_MESSAGE(std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }), name);
  }
  // The log ends with the last good round.
  std::ifstream log(tmp.path() / "log.jsonl");
  std::string line, last;
  while (std::getline(log, line)) last = line;
  CHECK(nlohmann::json::parse(last).at("step") == 14);
}

TEST_CASE("progan training: SIGINT stops a run at the round's end with that state checkpointed, and --resume ends it "
          "as if never stopped") {
  TempDir tmp("gg_progan_sigint");
  const data::Dataset data = blob_dataset(32, 8, 3);
  const ProganTrainConfig config = tiny_config();
  ProganTrainer whole(config, data);
  RunOptions options;
  options.out = tmp.path() / "whole";
  options.checkpoint_kimg = 100;  // only at phase ends: the stop must write its own
  run_training(whole, options, false);

  options.out = tmp.path() / "stopped";
  options.print = [](const std::string&) { std::raise(SIGINT); };  // the first progress line, after round 1
  ProganTrainer stopped(config, data);
  try {
    run_training(stopped, options, false);
    FAIL("the run was not stopped");
  } catch (const Interrupted& e) {
    CHECK(e.signal() == SIGINT);
    CHECK(std::string(e.what()).find("stopped by SIGINT") != std::string::npos);
    CHECK(std::string(e.what()).find("--resume") != std::string::npos);
  }
  const fs::path file = checkpoint_path(options.out);
  const Checkpoint saved = read_checkpoint(file);
  CHECK(saved.state.step == stopped.state().step);
  CHECK(saved.state.step == 2 * config.schedule.minibatch_repeats);  // round 1 printed, round 2 ran, then it stopped
  CHECK(same_tensors(saved.tensors, stopped.tensors()));

  options.print = nullptr;  // the handler is gone after the run: nothing raises here
  ProganTrainer resumed(config, data);
  restore_checkpoint(resumed, saved, file);
  const RunSummary summary = run_training(resumed, options, true);
  CHECK(summary.steps == whole.state().step);
  CHECK(same_tensors(resumed.tensors(), whole.tensors()));
}

namespace {

// SWD (x 1e3) between `count` reals and as many samples of `generator`, on 8x8 images: 3x3
// neighbourhoods at the 8x8 and 4x4 pyramid levels (7x7 ones need larger images).
double swd_to_reals(ProganGenerator& generator, const data::Dataset& reals, int count) {
  std::vector<std::size_t> indices(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  Generator latents(99), pick(100), dirs(101);
  Tensor fakes;
  {
    NoGrad no_grad;
    fakes = generator.forward(Tensor::randn({count, progan_latent_size(generator.config())}, latents), {}, 3, 1.0);
  }
  SwdOptions o;
  o.nhood_size = 3;
  o.min_resolution = 4;
  const SwdDescriptors real_desc = swd_descriptors(to_byte_images(reals.images(indices)), o, pick);
  const SwdDescriptors fake_desc = swd_descriptors(to_byte_images(fakes), o, pick);
  return sliced_wasserstein(real_desc, fake_desc, o, dirs).mean;
}

}  // namespace

// A distribution a GAN learns in a few hundred steps: a bright 2-pixel horizontal bar of random
// brightness at one of two heights in the middle of a dark 8x8 image.
data::Dataset bar_dataset(int count, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(count) * 64, 0);
  for (int n = 0; n < count; ++n) {
    const int top = 3 + static_cast<int>(gen.uniform() * 2);
    const auto level = static_cast<std::uint8_t>(128 + gen.uniform() * 127);
    for (int y = top; y < top + 2; ++y)
      for (int x = 0; x < 8; ++x) pixels[static_cast<std::size_t>(n * 64 + y * 8 + x)] = level;
  }
  return data::Dataset({"Bar"}, 1, 8, 8, std::move(pixels), std::vector<int>(static_cast<std::size_t>(count), 0),
                       std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

TEST_CASE("progan training: a short run on 8x8 bars brings the SWD to the data clearly down") {
  const data::Dataset data = bar_dataset(512, 4);
  ProganTrainConfig config;
  config.net = {.resolution = 8, .channels = 1, .fmap_base = 128, .fmap_max = 32};
  config.schedule.stabilize_kimg = 1;
  config.schedule.fade_kimg = 1;
  config.schedule.set_constant_batch(16);
  config.seed = 3;
  config.class_names = {"Bar"};
  ProganTrainer trainer(config, data);
  const double untrained = swd_to_reals(trainer.generator(), data, 128);
  while (!trainer.finished()) trainer.train_round();
  // G itself: over a few hundred steps the EMA (beta 0.999) still mostly remembers the start.
  const double trained = swd_to_reals(trainer.generator(), data, 128);
  MESSAGE("SWD x1e3 to the data: untrained " << untrained << ", after " << trainer.state().kimg() << " kimg " << trained);
  CHECK(trained < 0.7 * untrained);
}

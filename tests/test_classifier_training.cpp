// Training the classifier: it learns, reproduces bit for bit, stops early, mixes generated data at
// its ratio, fine-tunes from a checkpoint, and writes its best epoch and log.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <numeric>

#include "nets/classifier_checkpoint.h"
#include "nets/classifier_trainer.h"
#include "tests/temp_dir.h"
#include "tests/test_classifier_helpers.h"
#include "tests/testing.h"

using namespace gg;

namespace {

nets::ClassifierTrainOptions small_options(int epochs) {
  nets::ClassifierTrainOptions o;
  o.net = testing::small_net();
  o.epochs = epochs;
  o.patience = 0;
  return o;
}

// Every parameter and buffer, flattened in name order.
std::vector<float> weights_of(const Module& m) {
  std::vector<float> out;
  for (const auto& [name, t] : m.state_dict()) {
    const std::vector<float> v = t.to_vector<float>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::vector<double> losses(const nets::ClassifierTrainResult& r) {
  std::vector<double> out;
  for (const nets::EpochReport& e : r.history) out.insert(out.end(), {e.train_loss, e.validation_loss});
  return out;
}

}  // namespace

TEST_CASE("classifier training: learns the bars task to > 90% validation accuracy") {
  const data::Dataset train = testing::bars_dataset(512, 16, 1), validation = testing::bars_dataset(128, 16, 2);
  const nets::ClassifierTrainResult r = nets::train_classifier(train, validation, small_options(5));
  REQUIRE(r.history.size() == 5);
  CHECK(r.best_validation_accuracy > 0.9);
  CHECK(r.history.back().train_loss < 0.5 * r.history.front().train_loss);
  CHECK(!r.model->is_training());
  // The returned model is the best epoch's: predicting the validation set again gives its accuracy.
  const nets::Predictions p = nets::predict(*r.model, validation, 64, Device::cpu());
  std::size_t correct = 0;
  for (std::size_t i = 0; i < validation.size(); ++i) correct += p.predicted[i] == validation.label(i);
  CHECK(static_cast<double>(correct) / static_cast<double>(validation.size()) == r.best_validation_accuracy);
  for (const auto& row : p.probabilities) CHECK(std::accumulate(row.begin(), row.end(), 0.0) == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("classifier training: the same seed gives the same bits, another seed does not") {
  const data::Dataset train = testing::bars_dataset(128, 16, 3), validation = testing::bars_dataset(32, 16, 4);
  nets::ClassifierTrainOptions o = small_options(2);
  o.class_weights = true;
  const nets::ClassifierTrainResult a = nets::train_classifier(train, validation, o);
  const nets::ClassifierTrainResult b = nets::train_classifier(train, validation, o);
  const std::vector<double> la = losses(a), lb = losses(b);
  CHECK(std::memcmp(la.data(), lb.data(), la.size() * sizeof(double)) == 0);
  const std::vector<float> wa = weights_of(*a.model), wb = weights_of(*b.model);
  REQUIRE(wa.size() == wb.size());
  CHECK(std::memcmp(wa.data(), wb.data(), wa.size() * sizeof(float)) == 0);
  o.seed = 2;
  CHECK(losses(nets::train_classifier(train, validation, o)) != la);
}

TEST_CASE("classifier training: time augmentation is seeded, changes training, and the bars are still learnt") {
  const data::Dataset train = testing::bars_dataset(512, 16, 3), validation = testing::bars_dataset(128, 16, 4);
  nets::ClassifierTrainOptions o = small_options(5);
  const std::vector<double> plain = losses(nets::train_classifier(train, validation, o));
  o.augment.probability = 0.5;
  const nets::ClassifierTrainResult a = nets::train_classifier(train, validation, o);
  const nets::ClassifierTrainResult b = nets::train_classifier(train, validation, o);
  const std::vector<float> wa = weights_of(*a.model), wb = weights_of(*b.model);
  REQUIRE(wa.size() == wb.size());
  CHECK(std::memcmp(wa.data(), wb.data(), wa.size() * sizeof(float)) == 0);
  CHECK(losses(a) == losses(b));
  CHECK(losses(a) != plain);
  // Shifted bars wrap around and stay bars, and a cut band leaves most of one: the task survives.
  CHECK(a.best_validation_accuracy > 0.9);
}

TEST_CASE("classifier training: augmentation options are checked") {
  const data::Dataset train = testing::bars_dataset(32, 16, 12);
  nets::ClassifierTrainOptions o = small_options(1);
  o.augment.probability = 1.5;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, train, o), doctest::Contains("probability"), std::invalid_argument);
  o.augment.probability = 0.5;
  o.augment.adaptive = true;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, train, o), doctest::Contains("adaptive"), std::invalid_argument);
}

TEST_CASE("classifier training: early stopping ends the run patience epochs after the best") {
  // The validation images are all alike, so every epoch predicts them all as one class: the
  // accuracy never rises, and the best epoch is decided by the loss alone.
  const data::Dataset train = testing::bars_dataset(128, 16, 5);
  const data::Dataset validation = testing::constant_dataset(32, 16, 90, {0, 1, 2, 3}, testing::bar_classes());
  nets::ClassifierTrainOptions o = small_options(12);
  o.patience = 2;
  o.lr = 1e-2;
  int reported = 0;
  o.on_epoch = [&](const nets::EpochReport& e) { CHECK(e.epoch == ++reported); };
  const nets::ClassifierTrainResult r = nets::train_classifier(train, validation, o);
  CHECK(r.history.size() < 12);
  CHECK(static_cast<int>(r.history.size()) == r.best_epoch + o.patience);
  CHECK(reported == static_cast<int>(r.history.size()));
  for (const nets::EpochReport& e : r.history) {
    CHECK(e.validation_accuracy == doctest::Approx(0.25));
    CHECK(e.best == (e.epoch <= r.best_epoch && (e.epoch == r.best_epoch || e.best)));
  }
  CHECK(r.history[static_cast<std::size_t>(r.best_epoch - 1)].best);
}

TEST_CASE("classifier training: generated data is mixed into each batch at the ratio") {
  // Real images are black (-1), extra ones white (+1) with their own labels, so each batch tells
  // which sample came from where.
  const data::Dataset real = testing::constant_dataset(100, 16, 0, {0, 1}, testing::bar_classes());
  const data::Dataset extra = testing::constant_dataset(60, 16, 255, {2, 3}, testing::bar_classes());
  nets::ClassifierTrainOptions o = small_options(1);
  o.extra = &extra;
  o.extra_ratio = 0.3;
  o.batch = 32;
  CHECK(nets::steps_per_epoch(real.size(), o) == 5);  // ceil(100 / (32 * 0.7))
  const auto batches = nets::training_batches(real, o);
  std::size_t from_extra = 0, total = 0;
  for (int b = 0; b < 200; ++b) {
    const data::Batch batch = batches->next();
    const std::vector<float> pixels = batch.images.to_vector<float>();
    for (std::size_t i = 0; i < batch.labels.size(); ++i) {
      const bool white = pixels[i * 256] > 0;
      CHECK(white == (batch.labels[i] >= 2));
      from_extra += white;
      ++total;
    }
  }
  CHECK(static_cast<double>(from_extra) / static_cast<double>(total) == doctest::Approx(0.3).epsilon(0.05));
  // Without extra data the epoch is a plain pass; class weights follow the mixed class shares
  // (0.35, 0.35, 0.15, 0.15), weight 1 / (4 share).
  o.extra = nullptr;
  CHECK(nets::steps_per_epoch(real.size(), o) == 4);
  o.extra = &extra;
  const std::vector<double> w = nets::inverse_frequency_weights(real, o);
  CHECK(w[0] == doctest::Approx(1 / 1.4));
  CHECK(w[3] == doctest::Approx(1 / 0.6));
  // The training run uses the mixed stream: it differs from one on the real images alone.
  const data::Dataset validation = testing::bars_dataset(16, 16, 6);
  const nets::ClassifierTrainResult mixed = nets::train_classifier(real, validation, o);
  o.extra = nullptr;
  CHECK(losses(mixed) != losses(nets::train_classifier(real, validation, o)));
}

TEST_CASE("classifier training: inverse-frequency class weights by hand") {
  // Counts 6, 2, 0 of 8: weights 8 / (2 * 6), 8 / (2 * 2), and 1 for the absent class.
  const data::Dataset d = testing::constant_dataset(8, 16, 0, {0, 0, 0, 1, 0, 0, 0, 1}, {"A", "B", "C"});
  nets::ClassifierTrainOptions o;
  const std::vector<double> w = nets::inverse_frequency_weights(d, o);
  REQUIRE(w.size() == 3);
  CHECK(w[0] == doctest::Approx(2.0 / 3));
  CHECK(w[1] == doctest::Approx(2.0));
  CHECK(w[2] == 1.0);
}

TEST_CASE("classifier training: writes the best epoch and a log line per epoch, and fine-tunes from it") {
  const testing::TempDir tmp("gg_classifier_train_out");
  const std::filesystem::path& dir = tmp.path();
  const data::Dataset train = testing::bars_dataset(128, 16, 7), validation = testing::bars_dataset(32, 16, 8);
  nets::ClassifierTrainOptions o = small_options(3);
  o.out = dir / "run";
  const nets::ClassifierTrainResult first = nets::train_classifier(train, validation, o);
  REQUIRE(std::filesystem::exists(dir / "run" / "best.safetensors"));
  CHECK(std::filesystem::exists(dir / "run" / "best.json"));
  std::ifstream log(dir / "run" / "log.jsonl");
  std::size_t lines = 0;
  for (std::string line; std::getline(log, line);) CHECK(line.find("\"epoch\":" + std::to_string(++lines)) != std::string::npos);
  CHECK(lines == first.history.size());

  const nets::LoadedClassifier best = nets::load_classifier(dir / "run" / "best.safetensors", Device::cpu());
  CHECK(best.meta.class_names == train.class_names());
  CHECK(best.meta.preprocess.height == 16);
  CHECK(nets::predict(*best.model, validation, 32, Device::cpu()).probabilities ==
        nets::predict(*first.model, validation, 32, Device::cpu()).probabilities);

  // Fine-tuning with a vanishing learning rate leaves the loaded weights where they were; a fresh
  // start with the same seed does not begin there.
  nets::ClassifierTrainOptions tune = small_options(1);
  tune.init = dir / "run" / "best.safetensors";
  tune.lr = 1e-10;
  tune.seed = 9;
  const auto params = [](const Module& m) {
    std::vector<float> out;
    for (const Tensor& t : m.parameters()) {
      const std::vector<float> v = t.to_vector<float>();
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  };
  const std::vector<float> start = params(*first.model), tuned = params(*nets::train_classifier(train, validation, tune).model);
  float worst = 0;
  for (std::size_t i = 0; i < start.size(); ++i) worst = std::max(worst, std::abs(start[i] - tuned[i]));
  CHECK(worst < 1e-6f);
  tune.init.clear();
  const std::vector<float> fresh = params(*nets::train_classifier(train, validation, tune).model);
  float apart = 0;
  for (std::size_t i = 0; i < start.size(); ++i) apart = std::max(apart, std::abs(start[i] - fresh[i]));
  CHECK(apart > 0.01f);
}

TEST_CASE("classifier training: a checkpoint of other classes or another network cannot be fine-tuned from") {
  const testing::TempDir tmp("gg_classifier_init_mismatch");
  const std::filesystem::path& dir = tmp.path();
  const data::Dataset train = testing::bars_dataset(64, 16, 10), validation = testing::bars_dataset(16, 16, 11);
  nets::ClassifierTrainOptions o = small_options(1);
  o.out = dir;
  nets::train_classifier(train, validation, o);
  o.out.clear();
  o.init = dir / "best.safetensors";
  o.net.widths = {8, 32};
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, validation, o), doctest::Contains("best.safetensors"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, validation, o), doctest::Contains("widths 8,16 vs 8,32"), std::invalid_argument);
  o.net = testing::small_net();
  const std::vector<std::string> other{"A", "B", "C", "D"};
  const data::Dataset renamed = testing::constant_dataset(16, 16, 9, {0, 1, 2, 3}, other);
  CHECK_THROWS_WITH_AS(nets::train_classifier(renamed, renamed, o), doctest::Contains("classes (AntiDiagonal"), std::invalid_argument);
}

TEST_CASE("classifier training: bad options and mismatched data are errors naming them") {
  const data::Dataset train = testing::bars_dataset(32, 16, 12);
  nets::ClassifierTrainOptions o = small_options(1);
  o.extra_ratio = 1.0;
  const data::Dataset extra = testing::bars_dataset(8, 16, 13);
  o.extra = &extra;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, train, o), doctest::Contains("extra_ratio"), std::invalid_argument);
  o = small_options(1);
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, data::Dataset(), o), doctest::Contains("validation set is empty"),
                       std::invalid_argument);
  o.net.resolution = 32;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, train, o), doctest::Contains("1 x 16 x 16"), std::invalid_argument);
}

TEST_CASE("classifier training: exact batch-norm statistics make eval mode follow training with few steps per epoch") {
  // 64 images in batches of 16: 4 steps an epoch, too few for the momentum-0.1 running averages
  // to catch up with the weights; eval mode then predicts one class for everything.
  const data::Dataset train = testing::bars_dataset(64, 16, 21), validation = testing::bars_dataset(64, 16, 22);
  nets::ClassifierTrainOptions o = small_options(8);
  o.batch = 16;
  const nets::ClassifierTrainResult precise = nets::train_classifier(train, validation, o);
  o.batch_norm_images = 0;
  const nets::ClassifierTrainResult running = nets::train_classifier(train, validation, o);
  for (std::size_t e = 0; e < precise.history.size(); ++e) CHECK(precise.history[e].train_loss == running.history[e].train_loss);
  CHECK(precise.history.back().validation_accuracy > 0.7);
  CHECK(precise.history.back().validation_accuracy > running.history.back().validation_accuracy + 0.3);
}

TEST_CASE("classifier training: precise batch norm over one batch makes eval mode match training mode on it") {
  Generator init(31), drop(32);
  nets::ClassifierConfig config = testing::small_net();
  config.dropout = 0;
  nets::GlitchClassifier net(config, init);
  const data::Dataset d = testing::bars_dataset(64, 16, 33);
  std::vector<std::size_t> all(d.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  const Tensor x = d.images(all);
  NoGrad no_grad;
  const std::vector<float> trained = net.forward(x, drop).to_vector<float>();
  net.eval();
  const std::vector<float> before = net.forward(x, drop).to_vector<float>();
  nets::precise_batch_norm(net, d, all, 64, Device::cpu());
  CHECK(!net.is_training());
  CHECK(net.batch_norms().front()->state.momentum == 0.1);
  const std::vector<float> after = net.forward(x, drop).to_vector<float>();
  float gap_before = 0, gap_after = 0;
  for (std::size_t i = 0; i < trained.size(); ++i) {
    gap_before = std::max(gap_before, std::abs(before[i] - trained[i]));
    gap_after = std::max(gap_after, std::abs(after[i] - trained[i]));
  }
  // Only the unbiased variance (n / (n - 1), n = 64 x 8 x 8 at the last norm) separates them now.
  CHECK(gap_after < 1e-2f);
  CHECK(gap_before > 10 * gap_after);
}

TEST_CASE("classifier training: domain adaptation adds a domain head behind a gradient reversal, reproducibly") {
  CHECK(nets::domain_coefficient(0.5, 0) == 0);
  CHECK(nets::domain_coefficient(0.5, 0.5) == doctest::Approx(0.5 * (2 / (1 + std::exp(-5.0)) - 1)));
  CHECK(nets::domain_coefficient(1, 1) == doctest::Approx(0.99991).epsilon(1e-5));

  const data::Dataset train = testing::bars_dataset(512, 16, 3), validation = testing::bars_dataset(32, 16, 4);
  // The target domain: other bars, far brighter, so the domain head can tell them apart at first.
  const data::Dataset bright = testing::bars_dataset(64, 16, 5, 0.5);
  std::vector<std::uint8_t> pixels;
  for (std::size_t i = 0; i < bright.size(); ++i)
    for (std::uint8_t v : bright.pixels(i)) pixels.push_back(static_cast<std::uint8_t>(std::min(255, v + 120)));
  const data::Dataset target(bright.class_names(), 1, 16, 16, std::move(pixels), bright.labels(),
                             std::vector<data::SampleInfo>(bright.size()));
  const testing::TempDir dir("domain");
  nets::ClassifierTrainOptions o = small_options(3);
  o.unlabelled = &target;
  o.domain_lambda = 0.5;
  o.out = dir.path() / "run";
  const nets::ClassifierTrainResult a = nets::train_classifier(train, validation, o);
  o.out.clear();
  const nets::ClassifierTrainResult b = nets::train_classifier(train, validation, o);
  CHECK(weights_of(*a.model) == weights_of(*b.model));
  CHECK(losses(a) == losses(b));
  for (const nets::EpochReport& e : a.history) {
    CHECK(e.domain_loss > 0);
    CHECK(e.domain_accuracy <= 1);
  }
  // With lambda 0 nothing is reversed: the head learns to tell the domains apart, and its loss
  // falls; with the reversal the features work against it and its loss ends higher.
  o.domain_lambda = 0;
  const nets::ClassifierTrainResult unreversed = nets::train_classifier(train, validation, o);
  CHECK(unreversed.history.back().domain_accuracy > 0.6);
  CHECK(unreversed.history.back().domain_accuracy > unreversed.history.front().domain_accuracy);
  CHECK(unreversed.history.back().domain_loss < unreversed.history.front().domain_loss);
  CHECK(a.history.back().domain_loss > unreversed.history.back().domain_loss);
  std::ifstream log(dir.path() / "run" / "log.jsonl");
  std::string first;
  std::getline(log, first);
  CHECK(first.find("\"domain_accuracy\"") != std::string::npos);

  // Without unlabelled images nothing of it is logged; the wrong image size is an error naming it.
  o.unlabelled = nullptr;
  o.epochs = 1;
  o.out = dir.path() / "plain";
  nets::train_classifier(train, validation, o);
  std::ifstream plain(dir.path() / "plain" / "log.jsonl");
  std::getline(plain, first);
  CHECK(first.find("domain") == std::string::npos);
  const data::Dataset small = testing::bars_dataset(8, 8, 6);
  o.unlabelled = &small;
  CHECK_THROWS_WITH_AS(nets::train_classifier(train, validation, o), doctest::Contains("the unlabelled images are 1 x 8 x 8"),
                       std::invalid_argument);
}

TEST_CASE("classifier training: the squared MMD is 0 for one set against itself, grows with a shift, and has exact gradients") {
  const Tensor a = testing::random_f64({6, 3}, 1), b = testing::random_f64({5, 3}, 2);
  CHECK(std::abs(nets::mmd2(a, a).item()) < 1e-12);
  const double near = nets::mmd2(a, b).item(), far = nets::mmd2(a, add(b, 2.0)).item();
  CHECK(near > 0);
  CHECK(far > near);
  // One row each, distance d, kernels scaled by the mean squared distance over the 2 x 2 pairs (d^2 / 2):
  // MMD^2 = sum over the three bandwidths f of 2 (1 - exp(-1 / f)).
  const Tensor p = Tensor::from_vector(std::vector<double>{0, 0}, {1, 2}), q = Tensor::from_vector(std::vector<double>{3, 4}, {1, 2});
  double expected = 0;
  for (double f : {0.25, 1.0, 4.0}) expected += 2 * (1 - std::exp(-1 / f));
  CHECK(nets::mmd2(p, q).item() == doctest::Approx(expected).epsilon(1e-12));
  // The data's bandwidth is a constant to the backward; central differences would see it move, so
  // the gradient is checked at a fixed one.
  testing::check_gradients([](const std::vector<Tensor>& v) { return nets::mmd2(v[0], v[1], 1.7); }, {a, b});

  // As a training term: logged as the domain loss, with no domain head to score.
  const data::Dataset train = testing::bars_dataset(128, 16, 3), validation = testing::bars_dataset(32, 16, 4);
  const data::Dataset target = testing::bars_dataset(64, 16, 5, 1.5);
  nets::ClassifierTrainOptions o = small_options(2);
  o.unlabelled = &target;
  o.domain_method = nets::ClassifierTrainOptions::DomainMethod::mmd;
  o.domain_lambda = 1;
  const nets::ClassifierTrainResult r = nets::train_classifier(train, validation, o);
  for (const nets::EpochReport& e : r.history) {
    CHECK(e.domain_loss > 0);
    CHECK(e.domain_accuracy == 0);
  }
}

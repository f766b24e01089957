// End to end: a tiny CNN learns a separable task, and training is bit-for-bit reproducible.
#include <cstring>

#include "nets/toy_training.h"
#include "tests/testing.h"

using namespace gg;

TEST_CASE("training: a tiny CNN learns the bars task to > 95% test accuracy") {
  nets::ToyRunConfig config;
  config.epochs = 6;
  const nets::ToyRunResult run = nets::train_toy_classifier(config);
  REQUIRE(run.epochs.size() == 6);
  CHECK(run.epochs.back().test_accuracy > 0.95);
  CHECK(run.epochs.back().train_loss < 0.5 * run.epochs.front().train_loss);
}

TEST_CASE("training: the same seed gives bit-identical losses, another seed does not") {
  nets::ToyRunConfig config;
  config.epochs = 2;
  config.train_count = 256;
  const auto a = nets::train_toy_classifier(config).batch_losses;
  const auto b = nets::train_toy_classifier(config).batch_losses;
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  config.seed = 2;
  CHECK(nets::train_toy_classifier(config).batch_losses != a);
}

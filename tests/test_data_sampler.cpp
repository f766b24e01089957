// Samplers and batches: permutations, class balance, mixing ratio, determinism and prefetch.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "data/batches.h"
#include "data/prefetcher.h"
#include "data/samplers.h"

using namespace gg::data;

namespace {

// n samples of 1x2x2 bytes; sample i has value i % 256 everywhere and label labels[i].
Dataset toy_dataset(const std::vector<int>& labels, std::vector<std::string> classes) {
  std::vector<std::uint8_t> pixels;
  std::vector<SampleInfo> infos;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    pixels.insert(pixels.end(), 4, static_cast<std::uint8_t>(i % 256));
    infos.push_back({"", "H1", std::to_string(i)});
  }
  return Dataset(std::move(classes), 1, 2, 2, std::move(pixels), labels, std::move(infos));
}

std::vector<int> imbalanced_labels() {  // 100, 10 and 1 samples
  std::vector<int> labels(100, 0);
  labels.insert(labels.end(), 10, 1);
  labels.push_back(2);
  return labels;
}

}  // namespace

TEST_CASE("data: shuffles are seeded permutations") {
  gg::Generator a(3), b(3), c(4);
  const std::vector<std::size_t> p = random_permutation(50, a), q = random_permutation(50, b), r = random_permutation(50, c);
  CHECK(p == q);
  CHECK(p != r);
  std::vector<std::size_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);

  // Every position is equally likely to hold element 0.
  gg::Generator gen(9);
  std::vector<int> where(5, 0);
  for (int trial = 0; trial < 20000; ++trial) {
    const auto perm = random_permutation(5, gen);
    ++where[std::find(perm.begin(), perm.end(), 0) - perm.begin()];
  }
  for (int count : where) CHECK(count == doctest::Approx(4000).epsilon(0.06));

  for (int trial = 0; trial < 1000; ++trial) CHECK(uniform_below(gen, 7) < 7);
}

TEST_CASE("data: a shuffle sampler visits every sample once per epoch") {
  ShuffleSampler sampler(20, 1);
  std::vector<std::size_t> first, second;
  for (int i = 0; i < 20; ++i) first.push_back(sampler.next());
  for (int i = 0; i < 20; ++i) second.push_back(sampler.next());
  CHECK(first != second);
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  CHECK(first == second);
  CHECK(std::adjacent_find(first.begin(), first.end()) == first.end());
}

TEST_CASE("data: the class-balanced sampler draws classes near-uniformly") {
  const std::vector<int> labels = imbalanced_labels();
  BalancedSampler sampler(labels, 3, 11);
  std::vector<int> per_class(3, 0);
  const int draws = 30000;
  for (int i = 0; i < draws; ++i) ++per_class[labels[sampler.next()]];
  for (int count : per_class) CHECK(count == doctest::Approx(draws / 3.0).epsilon(0.03));

  // Within a class, no sample repeats before the class is exhausted.
  BalancedSampler again(std::vector<int>(10, 0), 1, 2);
  std::vector<std::size_t> seen;
  for (int i = 0; i < 10; ++i) seen.push_back(again.next());
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
}

TEST_CASE("data: batches have the engine's layout and values in [-1, 1]") {
  const Dataset d = toy_dataset({0, 1, 0}, {"a", "b"});
  const std::vector<std::size_t> pick{2, 1};
  const Batch batch = make_batch(d, pick);
  CHECK(batch.images.shape() == gg::Shape{2, 1, 2, 2});
  CHECK(batch.labels == std::vector<int>{0, 1});
  const std::vector<float> v = batch.images.to_vector<float>();
  CHECK(v[0] == doctest::Approx(2 * 2 / 255.0 - 1));
  CHECK(v[4] == doctest::Approx(2 * 1 / 255.0 - 1));

  const Dataset relabelled = toy_dataset({0, 1, 0}, {"a", "b"}).with_classes({"b"});
  CHECK(relabelled.size() == 1);
  CHECK(relabelled.label(0) == 0);
  CHECK(relabelled.info(0).id == "1");
}

TEST_CASE("data: mixing two sources keeps the ratio") {
  // Source a holds class "real", source b class "generated"; labels tell them apart.
  const std::vector<std::string> classes{"real", "generated"};
  const Dataset real = toy_dataset(std::vector<int>(7, 0), classes);
  const Dataset generated = toy_dataset(std::vector<int>(50, 1), classes);
  MixedBatches mixed(real, std::make_unique<ShuffleSampler>(real.size(), 1), generated,
                     std::make_unique<ShuffleSampler>(generated.size(), 2), 0.3, 10, 3);
  int from_real = 0;
  const int batches = 2000;
  for (int b = 0; b < batches; ++b) {
    const Batch batch = mixed.next();
    CHECK(batch.images.shape() == gg::Shape{10, 1, 2, 2});
    from_real += static_cast<int>(std::count(batch.labels.begin(), batch.labels.end(), 0));
  }
  CHECK(from_real / (10.0 * batches) == doctest::Approx(0.3).epsilon(0.02));

  const Dataset other_classes = toy_dataset({0}, {"x", "y"});
  CHECK_THROWS_AS(MixedBatches(real, std::make_unique<ShuffleSampler>(7, 1), other_classes,
                               std::make_unique<ShuffleSampler>(1, 1), 0.5, 4, 1),
                  std::invalid_argument);
}

TEST_CASE("data: prefetching gives the same batches in the same order, and passes errors on") {
  const std::vector<int> labels = imbalanced_labels();
  const Dataset d = toy_dataset(labels, {"a", "b", "c"});
  SampledBatches direct(d, std::make_unique<BalancedSampler>(labels, 3, 5), 8);
  Prefetcher prefetched(std::make_unique<SampledBatches>(d, std::make_unique<BalancedSampler>(labels, 3, 5), 8), 3);
  for (int b = 0; b < 50; ++b) {
    const Batch x = direct.next(), y = prefetched.next();
    CHECK(x.labels == y.labels);
    CHECK(x.images.to_vector<float>() == y.images.to_vector<float>());
  }

  struct Failing final : BatchSource {
    Batch next() override { throw std::runtime_error("source broke"); }
  };
  Prefetcher failing(std::make_unique<Failing>());
  CHECK_THROWS_WITH_AS(failing.next(), "source broke", std::runtime_error);
}

#pragma once
// Seeded index samplers: endless, reproducible streams of sample indices, all driven by the
// engine's Philox generator, so a seed fixes the order of every epoch on every machine.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/random.h"

namespace gg::data {

// Uniform integer in [0, n), without modulo bias. n > 0.
std::uint64_t uniform_below(Generator& gen, std::uint64_t n);

// Fisher–Yates: every permutation equally likely.
void shuffle(std::span<std::size_t> values, Generator& gen);
std::vector<std::size_t> random_permutation(std::size_t n, Generator& gen);

class IndexSampler {
 public:
  virtual ~IndexSampler() = default;
  virtual std::size_t next() = 0;
};

// Epochs: each pass visits every index once, in a fresh random order.
class ShuffleSampler final : public IndexSampler {
 public:
  ShuffleSampler(std::size_t size, std::uint64_t seed);
  std::size_t next() override;

 private:
  Generator gen_;
  std::vector<std::size_t> order_;
  std::size_t position_;
};

// Class-balanced: picks a class uniformly (among classes that have samples), then that class's
// next sample from its own reshuffled epoch — so rare classes are seen as often as common ones,
// and within a class no sample repeats before all have been shown.
class BalancedSampler final : public IndexSampler {
 public:
  BalancedSampler(const std::vector<int>& labels, int num_classes, std::uint64_t seed);
  std::size_t next() override;

 private:
  Generator gen_;
  std::vector<std::vector<std::size_t>> members_;  // indices of each non-empty class
  std::vector<std::size_t> positions_;
};

}  // namespace gg::data

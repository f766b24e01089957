#include "data/samplers.h"

#include <numeric>
#include <stdexcept>
#include <utility>

namespace gg::data {

std::uint64_t uniform_below(Generator& gen, std::uint64_t n) {
  // The words in [2^64 mod n, 2^64) form a whole number of runs of n consecutive values, so their
  // remainders mod n are exactly uniform; the few words below that are drawn again.
  const std::uint64_t reject_below = (0 - n) % n;
  for (;;) {
    const std::uint64_t x = gen.next_u64();
    if (x >= reject_below) return x % n;
  }
}

void shuffle(std::span<std::size_t> values, Generator& gen) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[uniform_below(gen, i)]);
}

std::vector<std::size_t> random_permutation(std::size_t n, Generator& gen) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  shuffle(order, gen);
  return order;
}

ShuffleSampler::ShuffleSampler(std::size_t size, std::uint64_t seed) : gen_(seed), order_(size), position_(size) {
  if (size == 0) throw std::invalid_argument("ShuffleSampler: empty dataset");
  std::iota(order_.begin(), order_.end(), std::size_t{0});
}

std::size_t ShuffleSampler::next() {
  if (position_ == order_.size()) {
    shuffle(order_, gen_);
    position_ = 0;
  }
  return order_[position_++];
}

BalancedSampler::BalancedSampler(const std::vector<int>& labels, int num_classes, std::uint64_t seed) : gen_(seed) {
  std::vector<std::vector<std::size_t>> by_class(num_classes);
  for (std::size_t i = 0; i < labels.size(); ++i) by_class.at(labels[i]).push_back(i);
  for (auto& members : by_class) {
    if (!members.empty()) members_.push_back(std::move(members));
  }
  if (members_.empty()) throw std::invalid_argument("BalancedSampler: empty dataset");
  for (auto& members : members_) positions_.push_back(members.size());
}

std::size_t BalancedSampler::next() {
  const std::size_t c = uniform_below(gen_, members_.size());
  if (positions_[c] == members_[c].size()) {
    shuffle(members_[c], gen_);
    positions_[c] = 0;
  }
  return members_[c][positions_[c]++];
}

}  // namespace gg::data

#include "data/splits.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "data/samplers.h"

namespace gg::data {

namespace {

// The indices of each class, each list shuffled by one generator in class order.
std::vector<std::vector<std::size_t>> shuffled_by_class(const Dataset& dataset, std::uint64_t seed) {
  std::vector<std::vector<std::size_t>> by_class(dataset.num_classes());
  for (std::size_t i = 0; i < dataset.size(); ++i) by_class[dataset.label(i)].push_back(i);
  Generator gen(seed);
  for (auto& members : by_class) shuffle(members, gen);
  return by_class;
}

// Samples are chosen at random but listed in dataset order.
Dataset sorted_subset(const Dataset& dataset, std::vector<std::size_t> indices) {
  std::sort(indices.begin(), indices.end());
  return dataset.subset(indices);
}

}  // namespace

Splits stratified_split(const Dataset& dataset, const SplitFractions& fractions, std::uint64_t seed) {
  const double total = fractions.train + fractions.validation + fractions.test;
  if (fractions.train < 0 || fractions.validation < 0 || fractions.test < 0 || std::abs(total - 1.0) > 1e-6) {
    throw std::invalid_argument("stratified_split: fractions must be non-negative and sum to 1");
  }
  std::vector<std::size_t> train, validation, test;
  for (const auto& members : shuffled_by_class(dataset, seed)) {
    const std::size_t n = members.size();
    const auto n_train = static_cast<std::size_t>(std::lround(n * fractions.train));
    const auto n_validation = std::min(n - n_train, static_cast<std::size_t>(std::lround(n * fractions.validation)));
    train.insert(train.end(), members.begin(), members.begin() + n_train);
    validation.insert(validation.end(), members.begin() + n_train, members.begin() + n_train + n_validation);
    test.insert(test.end(), members.begin() + n_train + n_validation, members.end());
  }
  return {sorted_subset(dataset, train), sorted_subset(dataset, validation), sorted_subset(dataset, test)};
}

Splits folder_splits(const Dataset& dataset) {
  std::vector<std::size_t> parts[3];
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const std::string& split = dataset.info(i).split;
    if (split == "train") parts[0].push_back(i);
    else if (split == "validation") parts[1].push_back(i);
    else if (split == "test") parts[2].push_back(i);
    else throw std::invalid_argument("folder_splits: sample " + dataset.info(i).id + " is not under a split folder");
  }
  return {dataset.subset(parts[0]), dataset.subset(parts[1]), dataset.subset(parts[2])};
}

Dataset take_per_class(const Dataset& dataset, std::size_t n, std::uint64_t seed) {
  return take_per_class(dataset, std::vector<std::size_t>(dataset.num_classes(), n), seed);
}

Dataset take_per_class(const Dataset& dataset, const std::vector<std::size_t>& counts, std::uint64_t seed) {
  if (counts.size() != static_cast<std::size_t>(dataset.num_classes())) {
    throw std::invalid_argument("take_per_class: " + std::to_string(counts.size()) + " counts for " +
                                std::to_string(dataset.num_classes()) + " classes");
  }
  std::vector<std::size_t> chosen;
  const auto by_class = shuffled_by_class(dataset, seed);
  for (std::size_t k = 0; k < by_class.size(); ++k) {
    const std::size_t take = std::min(counts[k], by_class[k].size());
    chosen.insert(chosen.end(), by_class[k].begin(), by_class[k].begin() + take);
  }
  return sorted_subset(dataset, chosen);
}

}  // namespace gg::data

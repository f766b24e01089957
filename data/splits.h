#pragma once
// Train / validation / test splits and per-class subsampling, stratified by class and seeded.
#include <cstdint>
#include <vector>

#include "data/dataset.h"

namespace gg::data {

struct SplitFractions {
  double train = 0.8;
  double validation = 0.1;
  double test = 0.1;
};

struct Splits {
  Dataset train, validation, test;
};

// Each class is shuffled and cut by the fractions (rounded; test takes the remainder), so every
// split keeps the class proportions. Same seed, same splits.
Splits stratified_split(const Dataset& dataset, const SplitFractions& fractions, std::uint64_t seed);

// The splits given by the train/validation/test folders (SampleInfo::split).
Splits folder_splits(const Dataset& dataset);

// A random min(n, size) samples of every class: small balanced training sets.
Dataset take_per_class(const Dataset& dataset, std::size_t n, std::uint64_t seed);
// counts[k] samples of class k (at most what it has): imbalanced sets of a chosen shape.
Dataset take_per_class(const Dataset& dataset, const std::vector<std::size_t>& counts, std::uint64_t seed);

}  // namespace gg::data

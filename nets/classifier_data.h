#pragma once
// Data for the classifier: a dataset moved into another label space, the folder splits or a
// seeded stratified split, and generated images (as `glitchgan sample` writes them) prepared like
// the real ones.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/preprocess.h"
#include "data/splits.h"

namespace gg::nets {

// The same samples labelled by their class's position in `names`, which must contain every class
// of `dataset` (and may have more: a generated set of a few classes joins the real label space).
// Throws std::invalid_argument listing the classes `names` lacks.
data::Dataset relabel_into(const data::Dataset& dataset, const std::vector<std::string>& names);

// The train/validation/test folders when the data has them (every sample under one), else a
// stratified split 80/10/10 by `seed`.
data::Splits classifier_splits(const data::Dataset& dataset, std::uint64_t seed);

// Generated images are at model resolution with no plot frame: the crop is the whole image (the
// size of the folder's first PNG; all are expected to match), any image size is accepted, and they
// are resized to `real`'s size with its windows and colour.
data::PreprocessOptions generated_preprocess(const std::filesystem::path& folder, const data::PreprocessOptions& real);

// The generated folder prepared as above and relabelled into `class_names` (its classes must be
// among them). Errors name the folder. `cache_dir` as in data::LoadOptions (empty: no cache).
data::Dataset load_generated(const std::filesystem::path& folder, const data::PreprocessOptions& real,
                             const std::vector<std::string>& class_names, const std::filesystem::path& cache_dir = {});

}  // namespace gg::nets

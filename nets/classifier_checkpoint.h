#pragma once
// Classifier checkpoints: the weights and batch-norm statistics in safetensors, with the config,
// the class names and the preprocessing (data::PreprocessOptions: windows, colour, size, crop) as
// one JSON document in the file's metadata ("glitchgan.classifier"), so eval-classifier and
// anomalies load data exactly as training did. Weights and description go to disk in one atomic
// write; a copy of the JSON is written beside it as <name>.json for people and scripts.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/preprocess.h"
#include "nets/classifier.h"

namespace gg::nets {

struct ClassifierCheckpoint {
  ClassifierConfig config;
  std::vector<std::string> class_names;  // label k is class_names[k]
  data::PreprocessOptions preprocess;
  // The training run's seed; train-classifier also cuts its stratified split with it (data without
  // split folders), so eval-classifier can find the same test split.
  std::uint64_t seed = 1;
};

// Throws std::invalid_argument when the class names do not match the config or the preprocessing
// does not give the config's channels and resolution; errors from the writes name the file.
void save_classifier(const std::filesystem::path& path, const GlitchClassifier& model, const ClassifierCheckpoint& meta);

struct LoadedClassifier {
  std::shared_ptr<GlitchClassifier> model;  // in eval mode
  ClassifierCheckpoint meta;
};

// Every error names the file (not a classifier checkpoint, missing or mis-shaped tensors, bad JSON).
LoadedClassifier load_classifier(const std::filesystem::path& path, Device device);

// The JSON document (for tests and tools).
std::string checkpoint_to_json(const ClassifierCheckpoint& meta);
ClassifierCheckpoint checkpoint_from_json(const std::string& text);

}  // namespace gg::nets

#pragma once
// The augmentation study for one training set (the pipeline of `glitchgan augment`):
//   1. a class-conditional ProGAN trained on the training split          -> <out>/gan/
//   2. generated images per class, enough to balance the classes and enlarge the set:
//      class k gets ceil(enlarge * largest class) - n_k images           -> <out>/generated/
//   3. classifiers, each evaluated on the test split                     -> <out>/classifier-<method>/
//        real          real training images only
//        real+gan      real images with generated ones mixed into every batch
//        gan-pretrain  trained on generated images only, then fine-tuned on the real ones
// Every step is seeded from the options, so a study is reproducible bit for bit.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nets/classification_metrics.h"
#include "nets/classifier_trainer.h"
#include "nets/progan_trainer.h"

namespace gg::study {

enum class Method { real, real_plus_gan, gan_pretrain };
std::string method_name(Method method);  // "real", "real+gan", "gan-pretrain"
// Parses a comma-separated list of method names; throws std::invalid_argument naming a bad one.
std::vector<Method> parse_methods(const std::string& text);
const std::vector<Method>& all_methods();

struct StudyOptions {
  // The GAN: resolution and channels must match the data; num_classes and class_names are set
  // from the training split (one conditional model for all classes).
  nets::ProganTrainConfig gan;
  // Every classifier's training options; net.channels/resolution/num_classes, extra, init and out
  // are set per method.
  nets::ClassifierTrainOptions classifier;
  double enlarge = 2.0;  // generated + real images per class, as a multiple of the largest class
  std::vector<Method> methods = all_methods();
  double gan_progress_seconds = 30;  // between ProGAN progress lines
  bool write_generated_pngs = true;  // in the Gravity Spy layout (train-classifier --extra reads them)
  std::filesystem::path out;
  std::function<void(const std::string&)> print;  // progress lines; empty: silent
};

struct MethodResult {
  Method method = Method::real;
  nets::ClassificationReport test;      // on the test split, with the best-validation weights
  std::vector<nets::EpochReport> history;
  std::vector<nets::EpochReport> pretrain_history;  // gan-pretrain only: the generated-only stage
  int best_epoch = 0;
  double seconds = 0;
  std::filesystem::path run;  // the classifier's folder (best.safetensors, log.jsonl)
};

struct StudyResult {
  std::vector<std::string> class_names;
  std::vector<std::size_t> real_counts, generated_counts;  // per class, training split
  double gan_seconds = 0, gan_kimg = 0;
  std::filesystem::path gan_run;
  std::vector<MethodResult> methods;
  const MethodResult& result(Method method) const;
};

// Images generated per class: ceil(enlarge * max(counts)) - counts[k], at least 1 each.
std::vector<std::size_t> generated_counts(const std::vector<std::size_t>& real_counts, double enlarge);

// All three splits must share class names and image shape; the GAN's and classifier's resolution
// and channels must match it (std::invalid_argument naming the mismatch otherwise).
StudyResult run_study(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                      const StudyOptions& options);

}  // namespace gg::study

#pragma once
// The augmentation study for one training set (the pipeline of `glitchgan augment`):
//   1. the `real` classifier on the real training split; it is also the judge of GAN-test
//                                                                        -> <out>/classifier-real/
//   2. a class-conditional ProGAN trained on the training split, with GAN-test and SWD of G and Gs
//      in its log every `gan_metrics_kimg`                               -> <out>/gan/
//   3. generated images per class, enough to balance the classes and enlarge the set:
//      class k gets ceil(enlarge * largest class) - n_k images           -> <out>/generated/
//      (with select_factor s > 1: s times as many are drawn and the `real` classifier keeps
//      those it gives the highest probability of the class they were generated for)
//   4. GAN-train: a classifier on the generated images alone, tested on the real test split
//      (the first stage of gan-pretrain, so it costs nothing extra when that method runs)
//   5. the other classifiers, each evaluated on the test split           -> <out>/classifier-<method>/
//        real          real training images only
//        real+gan      real images with generated ones mixed into every batch
//        gan-pretrain  trained on generated images only, then fine-tuned on the real ones
//      each at every `real_shares` entry (the classifiers' real images; the GAN sees them all);
//      and, when asked for (not by default), the offline analogue of ImageNet transfer:
//        synth-pretrain      pre-trained on synthetic scans of the study's classes (`glitchgan synth
//                            --models v3 --energy-norm robust-mean`), then fine-tuned on the real ones
//        synth+gan-pretrain  pre-trained on synthetic scans, then on generated images, then real
//      The synthetic-only stage's accuracy on the real test split is the study's sim->real figure.
//      On synthetic study data (the demo's, v1) the pre-training set comes from nearly the data's
//      own generator, so it bounds what synthetic pre-training could give from above.
// Every step is seeded from the options, so a study is reproducible bit for bit.
#include <filesystem>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/synth/glitch_models.h"
#include "data/synth/qtransform.h"
#include "nets/classification_metrics.h"
#include "nets/classifier_trainer.h"
#include "nets/progan_sampling.h"
#include "nets/progan_trainer.h"

namespace gg::study {

enum class Method { real, real_plus_gan, gan_pretrain, synth_pretrain, synth_gan_pretrain };
// "real", "real+gan", "gan-pretrain", "synth-pretrain", "synth+gan-pretrain"
std::string method_name(Method method);
// Parses a comma-separated list of method names; throws std::invalid_argument naming a bad one.
std::vector<Method> parse_methods(const std::string& text);
// The study's default methods: real, real+gan, gan-pretrain.
const std::vector<Method>& all_methods();
// Every method, in the order tables and charts list them.
const std::vector<Method>& known_methods();
// Whether the method starts from the synthetic pre-training stage.
bool uses_synthetic(Method method);

struct StudyOptions {
  // The GAN: resolution and channels must match the data; num_classes and class_names are set
  // from the training split (one conditional model for all classes).
  nets::ProganTrainConfig gan;
  // Every classifier's training options; net.channels/resolution/num_classes, extra, init and out
  // are set per method.
  nets::ClassifierTrainOptions classifier;
  double enlarge = 2.0;  // generated + real images per class, as a multiple of the largest class
  std::vector<Method> methods = all_methods();
  // Seed 003's protocol: every method is also run with only this share of each class's real
  // training images (at least one per class; the GAN always sees the whole split). 1 = all.
  std::vector<double> real_shares{1.0};
  // Which generator the classifiers' images come from: the EMA Gs or the trained G itself.
  nets::GanWeights sample_weights = nets::GanWeights::ema;
  // Candidates drawn per generated image kept; the `real` classifier picks (1: no selection).
  int select_factor = 1;
  // A GAN checkpoint already in <out>/gan/ (same config) is gone on from, to the end of its
  // schedule, instead of training anew; a finished one is only evaluated and sampled.
  bool resume_gan = false;
  int gan_test_per_class = 25;       // generated images per class for GAN-test during and after training
  double gan_metrics_kimg = 0;       // GAN-test and SWD of G and Gs into the GAN's log this often (0: at the end only)
  double gan_progress_seconds = 30;  // between ProGAN progress lines
  bool write_generated_pngs = true;  // in the Gravity Spy layout (train-classifier --extra reads them)
  // The synthetic pre-training set of synth-pretrain and synth+gan-pretrain: synth_per_class scans
  // of each of the study's classes (which must be Gravity Spy classes), seed synth_seed, drawn with
  // the class models synth_models and normalised by synth_energy_norm (by default the generator's
  // most realistic settings, data/README.md: pre-training is meant to transfer to real scans),
  // written to synth_dir (empty: <out>/synth-pretrain-data; scans/ in the Gravity Spy layout,
  // cache/, and synth-settings.json) and reused there while these settings hold.
  std::size_t synth_per_class = 200;
  data::synth::ModelSet synth_models = data::synth::ModelSet::v3;
  data::synth::QTransformOptions::Norm synth_energy_norm = data::synth::QTransformOptions::Norm::robust_mean;
  std::uint64_t synth_seed = 1000003;
  std::filesystem::path synth_dir;
  std::filesystem::path out;
  std::function<void(const std::string&)> print;  // progress lines; empty: silent
};

struct MethodResult {
  Method method = Method::real;
  double real_share = 1.0;  // share of each class's real training images this classifier saw
  nets::ClassificationReport test;      // on the test split, with the best-validation weights
  std::vector<nets::EpochReport> history;
  std::vector<nets::EpochReport> pretrain_history;  // the pre-training stage that precedes the real images
  int best_epoch = 0;
  double seconds = 0;
  std::filesystem::path run;  // the classifier's folder (best.safetensors, log.jsonl)
};

struct StudyResult {
  std::vector<std::string> class_names;
  std::vector<std::size_t> real_counts, generated_counts;  // per class, training split
  double gan_seconds = 0, gan_kimg = 0, gan_train_seconds = 0;
  std::filesystem::path gan_run;  // empty when no method used generated images (no GAN was trained)
  // GAN quality in the task's terms (NaN when not measured): GAN-test, the accuracy of the `real`
  // classifier on generated images scored against the class each was generated for; GAN-train,
  // the test accuracy of a classifier trained on generated images only.
  double gan_test_accuracy = std::numeric_limits<double>::quiet_NaN();
  double gan_train_accuracy = std::numeric_limits<double>::quiet_NaN();
  // sim->real: the test accuracy of the synthetic-only stage (NaN when no synthetic method ran).
  double synth_only_accuracy = std::numeric_limits<double>::quiet_NaN();
  // GAN-test of both generators at the end (gan_test_accuracy is that of sample_weights').
  double gan_test_ema = std::numeric_limits<double>::quiet_NaN();
  double gan_test_raw = std::numeric_limits<double>::quiet_NaN();
  // The share of the generated images the classifiers use that the `real` classifier assigns to
  // their class: GAN-test of the drawn candidates and of those kept (equal without selection).
  double candidates_agreement = std::numeric_limits<double>::quiet_NaN();
  double kept_agreement = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> gan_test_per_class;  // recall per class, of sample_weights' generator
  // SWD x 1e3 (mean over levels) of Gs and G to the training images at the end, beside two draws
  // of training images (nets::swd_run; NaN when not measured).
  double swd_ema = std::numeric_limits<double>::quiet_NaN();
  double swd_raw = std::numeric_limits<double>::quiet_NaN();
  double swd_real_floor = std::numeric_limits<double>::quiet_NaN();
  nets::GanWeights sample_weights = nets::GanWeights::ema;
  std::vector<MethodResult> methods;  // per method and real share, in the order run
  // The result of `method` at `real_share`; throws std::invalid_argument when it was not run.
  const MethodResult& result(Method method, double real_share = 1.0) const;
};

// The real images a classifier sees at `share`: ceil(share * n_k) of class k (at least 1), a seeded
// subset; share 1 returns the set itself.
data::Dataset real_share_subset(const data::Dataset& train, double share, std::uint64_t seed);

// Images generated per class: ceil(enlarge * max(counts)) - counts[k], at least 1 each.
std::vector<std::size_t> generated_counts(const std::vector<std::size_t>& real_counts, double enlarge);

// Indices of the images to keep: for each class k, the keep[k] images labelled k with the highest
// probabilities[i][k] (ties: the lower index), in increasing index order. Throws
// std::invalid_argument when a class has fewer than keep[k] images.
std::vector<std::size_t> most_probable_per_class(const std::vector<std::vector<float>>& probabilities,
                                                 std::span<const int> labels, const std::vector<std::size_t>& keep);

// All three splits must share class names and image shape; the GAN's and classifier's resolution
// and channels must match it (std::invalid_argument naming the mismatch otherwise).
StudyResult run_study(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                      const StudyOptions& options);

}  // namespace gg::study

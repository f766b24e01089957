#pragma once
// Training the glitch classifier: Adam with a step decay, cross-entropy (optionally weighted by
// inverse class frequency), generated images mixed into each batch, fine-tuning from a checkpoint,
// early stopping on validation accuracy with the best epoch's weights kept; and prediction.
//
// Sampling: shuffled epochs by default. An epoch shows every real training image once (in a
// fresh order), so "epoch", the learning-rate steps and the patience keep their usual meaning; the
// imbalance is left to the optional class weights and to the generated images, which is what the
// augmentation study measures. `balanced` switches to class-balanced sampling instead (each batch
// draws classes uniformly; an epoch is then as many batches as a shuffled one).
// Batch norm: before each validation the running statistics are replaced by exact averages over
// a fixed sample of the real training images, computed with the current weights in training mode
// and no weight update ("precise BN", Wu & Johnson 2021). The momentum-0.1 running averages lag
// behind the weights, and with few steps per epoch (small data sets, the study's 5 to 50 images
// per class) eval mode then predicts one class for everything; training itself is unchanged.
// Same seed, same bits: every random stream (initialisation, dropout, sampling, mixing) derives
// from `seed`.
// Data parallel over the ranks of `communicator` (as nets/data_parallel.h): every rank draws each
// global batch and trains on its share of the rows (the batch must divide by the rank count),
// gradients are averaged before each step, and the reported losses and accuracies are the global
// ones. Batch norm normalises with each rank's own batch statistics (as PyTorch DDP without
// SyncBatchNorm), so N ranks train a slightly different model than one process with the same
// global batch; the precise-BN pass is shared out over the ranks and averaged, so the replicas
// keep equal statistics. Dropout draws from a stream per rank. Validation runs on every rank (the
// same numbers: early stopping agrees); rank 0 alone writes the log and checkpoint and reports.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "data/batches.h"
#include "data/dataset.h"
#include "data/preprocess.h"
#include "engine/communicator.h"
#include "nets/classifier.h"
#include "nets/time_augment.h"

namespace gg::nets {

struct EpochReport {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0, validation_loss = 0, validation_accuracy = 0, validation_macro_f1 = 0;
  double learning_rate = 0, seconds = 0;
  bool best = false;
  // With unlabelled images: the domain term (DANN: the domain head's loss; MMD: the squared MMD)
  // and, for DANN, how often the head told the domains apart (0.5: the features no longer show
  // which domain an image came from).
  double domain_loss = 0, domain_accuracy = 0;
};

struct ClassifierTrainOptions {
  ClassifierConfig net;  // channels/resolution/num_classes must match the data
  int epochs = 20, batch = 32;
  double lr = 1e-3;
  int lr_step_epochs = 7;
  double lr_gamma = 0.1;       // Adam + StepLR
  bool class_weights = false;  // inverse-frequency weights in the cross-entropy
  int patience = 5;            // early stopping on validation accuracy; 0 = off
  std::uint64_t seed = 1;
  Device device = Device::cpu();
  const data::Dataset* extra = nullptr;  // generated images (same label space, shape), mixed into each batch
  double extra_ratio = 0.5;              // share of each batch drawn from `extra`, in [0, 1)
  std::filesystem::path init;            // classifier checkpoint to fine-tune from (empty: fresh init)
  std::filesystem::path out;             // run folder: best.safetensors (+ .json), log.jsonl; empty: write nothing
  std::function<void(const EpochReport&)> on_epoch;  // progress; may be empty
  bool balanced = false;  // class-balanced sampling of the real images instead of shuffled epochs
  // Time-axis augmentation of the labelled training images (nets/time_augment.h: a circular time
  // shift and a time cutout, each with augment.probability per image, drawn afresh every step from
  // a stream of its own); off by default. Validation, precise batch norm and the unlabelled images
  // see the images as they are. The adaptive probability (ADA) is the GAN's and is refused here.
  TimeAugmentOptions augment;
  // How the images were made, recorded in best.safetensors for eval-classifier and anomalies.
  // Unset: one 1.0 s window at the net's resolution, gray for 1 channel, RGB for 3 (the loader's
  // defaults otherwise); other channel counts must set it.
  std::optional<data::PreprocessOptions> preprocess;
  // Training images (a seeded sample) the batch-norm statistics are averaged over before each
  // validation; 0 keeps the running averages.
  int batch_norm_images = 2048;
  // Domain adaptation: images of the target domain, labels unused (e.g. real glitches for a
  // classifier trained on synthetic ones). Each step adds a batch of them to the labelled batch,
  // in one pass, and a domain term whose coefficient ramps from 0 to domain_lambda as
  // 2 / (1 + exp(-10 p)) - 1 over the training progress p (domain_coefficient):
  //   dann: a domain head (linear on the pooled features) learns to tell the two apart through a
  //         gradient reversal with that coefficient (Ganin & Lempitsky 2015), so the features learn not to;
  //   mmd:  the coefficient times the squared MMD between the two domains' pooled features (mmd2).
  const data::Dataset* unlabelled = nullptr;
  enum class DomainMethod { dann, mmd } domain_method = DomainMethod::dann;
  double domain_lambda = 0.1;
  Communicator* communicator = nullptr;  // the ranks that train together; nullptr: one process
};

struct ClassifierTrainResult {
  std::vector<EpochReport> history;
  int best_epoch = 0;
  double best_validation_accuracy = 0;
  std::shared_ptr<GlitchClassifier> model;  // holding the best epoch's weights, in eval mode
};

// Throws std::invalid_argument naming the option or data set that does not fit, std::runtime_error
// when the loss stops being finite (naming the epoch and step) or a file cannot be written.
ClassifierTrainResult train_classifier(const data::Dataset& train, const data::Dataset& validation,
                                       const ClassifierTrainOptions& options);

struct Predictions {
  std::vector<int> predicted;
  std::vector<std::vector<float>> probabilities;  // softmax per sample
};
// Batch norm and dropout in eval mode (the model's mode is restored afterwards), no autograd.
Predictions predict(GlitchClassifier& model, const data::Dataset& data, int batch, Device device);

// ---- The pieces train_classifier is made of (public for tests and tools) ----

// Weights n / (K n_k) for the K classes with n_k > 0 (scikit-learn's "balanced"; 1 for absent
// classes, which never occur as labels), from the expected class shares of the batches: real
// counts, mixed with the extra set's at extra_ratio.
std::vector<double> inverse_frequency_weights(const data::Dataset& train, const ClassifierTrainOptions& options);

// Batches per epoch: enough that the real images in them add up to the training set once,
// ceil(n / (batch (1 - extra_ratio))).
std::size_t steps_per_epoch(std::size_t train_size, const ClassifierTrainOptions& options);

// The endless stream of training batches: shuffled (or class-balanced) real images, with a share
// extra_ratio of each batch from the extra set when it is given (data::MixedBatches).
std::unique_ptr<data::BatchSource> training_batches(const data::Dataset& train, const ClassifierTrainOptions& options);

// Sets every batch norm's statistics to the size-weighted average of the batch means and
// (unbiased) variances over `indices` of `data`, taken in batches of `batch` in training mode
// under NoGrad; the model's mode, weights and momenta are left as they were. Over several ranks
// each takes a contiguous block of the batches and the blocks' averages are combined by size.
void precise_batch_norm(GlitchClassifier& model, const data::Dataset& data, std::span<const std::size_t> indices, int batch,
                        Device device, Communicator& communicator = single_process());

// The preprocessing recorded in checkpoints: options.preprocess, or the default described above.
data::PreprocessOptions recorded_preprocess(const ClassifierTrainOptions& options);

// Squared maximum mean discrepancy between the rows of a (N, w) and b (M, w): the biased estimate
// with the sum of Gaussian kernels of bandwidths sigma^2 = 1/4, 1 and 4 times `scale`, by default
// (0) the mean squared distance over all pairs of rows, taken as a constant (as DAN does), so the
// features cannot lower the discrepancy by spreading out. Differentiable in a and b.
Tensor mmd2(const Tensor& a, const Tensor& b, double scale = 0);

// The gradient reversal's coefficient at training progress p in [0, 1]: lambda (2 / (1 + e^(-10 p)) - 1).
double domain_coefficient(double lambda, double progress);

// An independent seed for random stream `stream` of a run seeded with `seed` (splitmix64), so that
// runs with neighbouring seeds share no stream.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

}  // namespace gg::nets

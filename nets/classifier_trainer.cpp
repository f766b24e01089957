#include "nets/classifier_trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "data/prefetcher.h"
#include "data/samplers.h"
#include "engine/optim.h"
#include "nets/classification_metrics.h"
#include "nets/classifier_checkpoint.h"
#include "nets/data_parallel.h"

namespace gg::nets {

namespace {

// The random streams of a run.
enum Stream : std::uint64_t { kInit, kDropout, kRealSampler, kExtraSampler, kMixing, kBatchNormSample, kDomainHead, kUnlabelled, kAugment };

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("train_classifier: " + what);
}

std::string shape_text(const data::Dataset& d) { return fmt::format("{} x {} x {}", d.channels(), d.height(), d.width()); }

void check_options(const data::Dataset& train, const data::Dataset& validation, const ClassifierTrainOptions& o) {
  o.net.validate();
  require(o.epochs >= 1, fmt::format("epochs must be at least 1, not {}", o.epochs));
  require(o.batch >= 1, fmt::format("batch must be at least 1, not {}", o.batch));
  require(o.lr > 0 && std::isfinite(o.lr), fmt::format("lr must be positive, not {}", o.lr));
  require(o.lr_step_epochs >= 1, fmt::format("lr_step_epochs must be at least 1, not {}", o.lr_step_epochs));
  require(o.lr_gamma > 0, fmt::format("lr_gamma must be positive, not {}", o.lr_gamma));
  require(o.patience >= 0, fmt::format("patience must be 0 (off) or positive, not {}", o.patience));
  require(o.batch_norm_images >= 0, fmt::format("batch_norm_images must be 0 (off) or positive, not {}", o.batch_norm_images));
  require(o.extra_ratio >= 0 && o.extra_ratio < 1, fmt::format("extra_ratio must be in [0, 1), not {}", o.extra_ratio));
  o.augment.validate();
  require(!o.augment.adaptive, "augment: the adaptive probability (ADA) is for GAN training; give a fixed probability");
  require(!train.empty(), "the training set is empty");
  require(!validation.empty(), "the validation set is empty (early stopping and the best epoch need one)");
  const std::string net_shape = fmt::format("{} x {} x {}", o.net.channels, o.net.resolution, o.net.resolution);
  require(train.channels() == o.net.channels && train.height() == o.net.resolution && train.width() == o.net.resolution,
          "the training images are " + shape_text(train) + " but the network takes " + net_shape);
  require(train.num_classes() == o.net.num_classes,
          fmt::format("the training set has {} classes but the network {}", train.num_classes(), o.net.num_classes));
  require(validation.class_names() == train.class_names(), "the validation set's classes differ from the training set's");
  require(validation.channels() == train.channels() && validation.height() == train.height() && validation.width() == train.width(),
          "the validation images are " + shape_text(validation) + ", the training images " + shape_text(train));
  if (o.extra != nullptr) {
    require(!o.extra->empty(), "the extra (generated) set is empty");
    require(o.extra->class_names() == train.class_names(),
            "the extra set's classes differ from the training set's (relabel it into the same label space)");
    require(o.extra->channels() == train.channels() && o.extra->height() == train.height() && o.extra->width() == train.width(),
            "the extra images are " + shape_text(*o.extra) + ", the training images " + shape_text(train));
  }
  if (o.unlabelled != nullptr) {
    require(!o.unlabelled->empty(), "the unlabelled (target-domain) set is empty");
    require(o.unlabelled->channels() == train.channels() && o.unlabelled->height() == train.height() &&
                o.unlabelled->width() == train.width(),
            "the unlabelled images are " + shape_text(*o.unlabelled) + ", the training images " + shape_text(train));
    require(o.domain_lambda >= 0 && std::isfinite(o.domain_lambda),
            fmt::format("domain_lambda must be non-negative, not {}", o.domain_lambda));
  }
}

// log softmax of every sample's logits, row-major (N, classes), in eval mode.
std::vector<float> log_probabilities(GlitchClassifier& model, const data::Dataset& data, int batch, Device device) {
  const ClassifierConfig& c = model.config();
  if (data.channels() != c.channels || data.height() != c.resolution || data.width() != c.resolution) {
    throw std::invalid_argument(fmt::format("predict: the images are {} but the classifier takes {} x {} x {}",
                                            shape_text(data), c.channels, c.resolution, c.resolution));
  }
  if (batch < 1) throw std::invalid_argument("predict: batch must be at least 1");
  NoGrad no_grad;
  EvalMode eval(model);
  Generator unused(0);  // dropout is the identity in eval mode
  std::vector<float> out;
  out.reserve(data.size() * static_cast<std::size_t>(c.num_classes));
  for (std::size_t start = 0; start < data.size(); start += static_cast<std::size_t>(batch)) {
    std::vector<std::size_t> indices(std::min(static_cast<std::size_t>(batch), data.size() - start));
    std::iota(indices.begin(), indices.end(), start);
    const std::vector<float> rows = log_softmax(model.forward(data.images(indices).to(device), unused)).to_vector<float>();
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

std::vector<int> row_argmax(const std::vector<float>& rows, std::size_t classes) {
  std::vector<int> out(rows.size() / classes, 0);
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t k = 1; k < classes; ++k)
      if (rows[i * classes + k] > rows[i * classes + static_cast<std::size_t>(out[i])]) out[i] = static_cast<int>(k);
  return out;
}

struct Validation {
  double loss = 0;
  ClassificationReport report;
};

Validation validate(GlitchClassifier& model, const data::Dataset& data, int batch, Device device) {
  const auto classes = static_cast<std::size_t>(model.config().num_classes);
  const std::vector<float> rows = log_probabilities(model, data, batch, device);
  double loss = 0;
  for (std::size_t i = 0; i < data.size(); ++i) loss -= rows[i * classes + static_cast<std::size_t>(data.label(i))];
  return {loss / static_cast<double>(data.size()), evaluate_predictions(data.labels(), row_argmax(rows, classes), static_cast<int>(classes))};
}

// Deep copies of every parameter and buffer.
TensorMap snapshot(const Module& model) {
  NoGrad no_grad;
  TensorMap out;
  for (const auto& [name, t] : model.state_dict()) out.emplace(name, t.detach().clone());
  return out;
}

void load_init(GlitchClassifier& model, const data::Dataset& train, const ClassifierTrainOptions& o) {
  const LoadedClassifier init = load_classifier(o.init, o.device);
  const std::string differences = config_differences(init.meta.config, o.net);
  if (!differences.empty()) {
    throw std::invalid_argument(o.init.string() + ": cannot fine-tune from this checkpoint: its network differs from the one asked for (" +
                                differences + ")");
  }
  if (init.meta.class_names != train.class_names()) {
    throw std::invalid_argument(fmt::format("{}: cannot fine-tune from this checkpoint: its classes ({}) differ from the data's ({})",
                                            o.init.string(), fmt::join(init.meta.class_names, ", "),
                                            fmt::join(train.class_names(), ", ")));
  }
  model.load_state_dict(init.model->state_dict());
}

nlohmann::json log_line(const EpochReport& r, bool domain_adaptation) {
  nlohmann::json line = {{"epoch", r.epoch},
                         {"train_loss", r.train_loss},
                         {"train_accuracy", r.train_accuracy},
                         {"validation_loss", r.validation_loss},
                         {"validation_accuracy", r.validation_accuracy},
                         {"validation_macro_f1", r.validation_macro_f1},
                         {"learning_rate", r.learning_rate},
                         {"seconds", r.seconds},
                         {"best", r.best}};
  if (domain_adaptation) {
    line["domain_loss"] = r.domain_loss;
    line["domain_accuracy"] = r.domain_accuracy;  // 0 for MMD, which has no domain head
  }
  return line;
}

// The training images at `indices` alternating with as many seeded unlabelled ones (fewer when it
// has fewer), in the training set's label space (the unlabelled images get label 0, never read).
data::Dataset interleave_domains(const data::Dataset& train, std::span<const std::size_t> indices, const data::Dataset& unlabelled,
                                 Generator& gen) {
  std::vector<std::size_t> other = data::random_permutation(unlabelled.size(), gen);
  other.resize(std::min(other.size(), indices.size()));
  std::vector<std::uint8_t> pixels;
  std::vector<int> labels;
  std::vector<data::SampleInfo> infos;
  const auto add = [&](const data::Dataset& d, std::size_t i, int label) {
    pixels.insert(pixels.end(), d.pixels(i).begin(), d.pixels(i).end());
    labels.push_back(label);
    infos.push_back(d.info(i));
  };
  for (std::size_t k = 0; k < indices.size(); ++k) {
    add(train, indices[k], train.label(indices[k]));
    if (k < other.size()) add(unlabelled, other[k], 0);
  }
  return {train.class_names(), train.channels(), train.height(), train.width(), std::move(pixels), std::move(labels), std::move(infos)};
}

// The parts of a run with unlabelled images: the target-domain batches and, for DANN, the domain head.
struct DomainAdaptation {
  DomainAdaptation(const ClassifierTrainOptions& o, int feature_width)
      : batches(std::make_unique<data::SampledBatches>(
                    *o.unlabelled, std::make_unique<data::ShuffleSampler>(o.unlabelled->size(), derive_seed(o.seed, kUnlabelled)),
                    static_cast<std::size_t>(o.batch)),
                2) {
    if (o.domain_method == ClassifierTrainOptions::DomainMethod::dann) {
      Generator init(derive_seed(o.seed, kDomainHead));
      head.emplace(feature_width, 2, init, TensorOptions{DType::f32, o.device});
    }
  }
  data::Prefetcher batches;
  std::optional<Linear> head;
};

}  // namespace

void precise_batch_norm(GlitchClassifier& model, const data::Dataset& data, std::span<const std::size_t> indices, int batch,
                        Device device, Communicator& communicator) {
  if (batch < 1) throw std::invalid_argument("precise_batch_norm: batch must be at least 1");
  NoGrad no_grad;
  const bool was_training = model.is_training();
  model.train();
  const std::vector<BatchNorm*> norms = model.batch_norms();
  std::vector<double> momenta;
  for (BatchNorm* bn : norms) momenta.push_back(bn->state.momentum);
  Generator unused(0);  // dropout comes after the last batch norm: its mask changes no statistic
  const auto step = static_cast<std::size_t>(batch), batches = (indices.size() + step - 1) / step;
  const auto rank = static_cast<std::size_t>(communicator.rank()), ranks = static_cast<std::size_t>(communicator.size());
  std::size_t seen = 0;
  for (std::size_t k = batches * rank / ranks; k < batches * (rank + 1) / ranks; ++k) {
    const std::size_t start = k * step;
    const std::span<const std::size_t> part = indices.subspan(start, std::min(step, indices.size() - start));
    seen += part.size();
    // A cumulative average: batch k enters with weight n_k / (n_1 + ... + n_k).
    for (BatchNorm* bn : norms) bn->state.momentum = static_cast<double>(part.size()) / static_cast<double>(seen);
    model.forward(data.images(part).to(device), unused);
  }
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i]->state.momentum = momenta[i];
  if (ranks > 1) {
    // Each rank's average weighted by its share of the images; their sum is the average over all.
    const double weight = static_cast<double>(seen) / static_cast<double>(indices.size());
    std::vector<Tensor> statistics;
    for (BatchNorm* bn : norms) {
      for (Tensor* t : {&bn->state.running_mean, &bn->state.running_var}) {
        if (seen == 0) t->fill_(0);
        else t->assign(mul(*t, weight));
        statistics.push_back(*t);
      }
    }
    communicator.all_reduce(statistics, ReduceOp::sum);
  }
  model.train(was_training);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (stream + 1) * 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

data::PreprocessOptions recorded_preprocess(const ClassifierTrainOptions& o) {
  data::PreprocessOptions p;
  if (o.preprocess) {
    p = *o.preprocess;
  } else {
    require(o.net.channels == 1 || o.net.channels == 3,
            fmt::format("set `preprocess` for {} channels (the default covers 1, gray, and 3, RGB)", o.net.channels));
    p.color = o.net.channels == 3 ? data::ColorMode::rgb : data::ColorMode::gray;
    p.height = p.width = o.net.resolution;
  }
  p.validate();
  require(p.channels() == o.net.channels && p.height == o.net.resolution && p.width == o.net.resolution,
          fmt::format("the preprocessing ({}) does not make the network's {} x {} x {} input", p.describe(), o.net.channels,
                      o.net.resolution, o.net.resolution));
  return p;
}

std::vector<double> inverse_frequency_weights(const data::Dataset& train, const ClassifierTrainOptions& o) {
  const std::vector<std::size_t> counts = train.class_counts();
  std::vector<double> share(counts.size(), 0.0);
  const double real_share = o.extra != nullptr ? 1.0 - o.extra_ratio : 1.0;
  for (std::size_t k = 0; k < counts.size(); ++k) share[k] = real_share * static_cast<double>(counts[k]) / static_cast<double>(train.size());
  if (o.extra != nullptr) {
    const std::vector<std::size_t> extra = o.extra->class_counts();
    for (std::size_t k = 0; k < share.size() && k < extra.size(); ++k)
      share[k] += o.extra_ratio * static_cast<double>(extra[k]) / static_cast<double>(o.extra->size());
  }
  const auto present = static_cast<double>(std::count_if(share.begin(), share.end(), [](double s) { return s > 0; }));
  std::vector<double> weights(share.size(), 1.0);
  for (std::size_t k = 0; k < share.size(); ++k)
    if (share[k] > 0) weights[k] = 1.0 / (present * share[k]);
  return weights;
}

Tensor mmd2(const Tensor& a, const Tensor& b, double scale) {
  const std::int64_t n = a.size(0), m = b.size(0), total = n + m;
  if (n < 1 || m < 1) throw std::invalid_argument("mmd2: both sets need at least one row");
  const Tensor x = concat({a, b}, 0);                                                               // (N + M, w)
  const Tensor norms = sum(mul(x, x), {1}, true);                                                   // (N + M, 1)
  const Tensor d2 = add(sub(norms, mul(matmul(x, x, false, true), 2.0)), reshape(norms, {1, total}));  // (N + M, N + M)
  if (scale <= 0) scale = std::max(mean(d2).item(), 1e-12);
  // +1/N^2 within a, +1/M^2 within b, -1/(NM) across: sum(w * k) is the MMD^2 estimate.
  std::vector<double> w(static_cast<std::size_t>(total * total));
  for (std::int64_t i = 0; i < total; ++i)
    for (std::int64_t j = 0; j < total; ++j)
      w[static_cast<std::size_t>(i * total + j)] = (i < n) == (j < n) ? 1.0 / static_cast<double>(i < n ? n * n : m * m)
                                                                        : -1.0 / static_cast<double>(n * m);
  const Tensor weights = Tensor::from_vector(w, {total, total}).to(x.dtype()).to(x.device());
  Tensor kernels;
  for (double f : {0.25, 1.0, 4.0}) {
    const Tensor k = exp(mul(d2, -1 / (2 * f * scale)));
    kernels = kernels.defined() ? add(kernels, k) : k;
  }
  return sum(mul(kernels, weights));
}

double domain_coefficient(double lambda, double progress) { return lambda * (2 / (1 + std::exp(-10 * progress)) - 1); }

std::size_t steps_per_epoch(std::size_t train_size, const ClassifierTrainOptions& o) {
  const double real_per_batch = o.batch * (o.extra != nullptr ? 1.0 - o.extra_ratio : 1.0);
  return static_cast<std::size_t>(std::ceil(static_cast<double>(train_size) / real_per_batch - 1e-9));
}

std::unique_ptr<data::BatchSource> training_batches(const data::Dataset& train, const ClassifierTrainOptions& o) {
  const std::uint64_t real_seed = derive_seed(o.seed, kRealSampler);
  std::unique_ptr<data::IndexSampler> real;
  if (o.balanced) {
    real = std::make_unique<data::BalancedSampler>(train.labels(), train.num_classes(), real_seed);
  } else {
    real = std::make_unique<data::ShuffleSampler>(train.size(), real_seed);
  }
  const auto batch = static_cast<std::size_t>(o.batch);
  if (o.extra == nullptr || o.extra_ratio == 0) return std::make_unique<data::SampledBatches>(train, std::move(real), batch);
  return std::make_unique<data::MixedBatches>(
      train, std::move(real), *o.extra, std::make_unique<data::ShuffleSampler>(o.extra->size(), derive_seed(o.seed, kExtraSampler)),
      1.0 - o.extra_ratio, batch, derive_seed(o.seed, kMixing));
}

ClassifierTrainResult train_classifier(const data::Dataset& train, const data::Dataset& validation,
                                       const ClassifierTrainOptions& options) {
  check_options(train, validation, options);
  const ClassifierCheckpoint meta{options.net, train.class_names(), recorded_preprocess(options), options.seed};
  Communicator& communicator = options.communicator != nullptr ? *options.communicator : single_process();
  const bool root = communicator.is_root();
  require(options.batch % communicator.size() == 0,
          fmt::format("batch {} does not split over {} ranks", options.batch, communicator.size()));
  const BatchShare share(options.batch, 1, communicator.rank(), communicator.size());
  // Dropout masks and augmentations differ between ranks (rank 0's streams are one process' streams).
  const auto rank_seed = [&](Stream stream) {
    const std::uint64_t seed = derive_seed(options.seed, stream);
    return communicator.rank() == 0 ? seed : derive_seed(seed, static_cast<std::uint64_t>(communicator.rank()));
  };
  Generator init_gen(derive_seed(options.seed, kInit)), dropout_gen(rank_seed(kDropout)), augment_gen(rank_seed(kAugment));
  // The labelled images of a step, on the device, augmented when asked.
  const auto training_images = [&](const Tensor& images) {
    const Tensor on_device = images.to(options.device);
    if (options.augment.probability == 0) return on_device;
    const auto n = static_cast<int>(images.size(0)), width = static_cast<int>(images.size(3));
    return time_augment(on_device, draw_time_augment(n, width, options.augment.probability, options.augment, augment_gen));
  };
  auto model = std::make_shared<GlitchClassifier>(options.net, init_gen, TensorOptions{DType::f32, options.device});
  if (!options.init.empty()) load_init(*model, train, options);
  broadcast_tensors(communicator, model->state_dict());  // the replicas start alike (they do by seed; root's copy makes sure)
  model->train();

  std::ofstream log;
  const std::filesystem::path log_file = options.out / "log.jsonl", best_file = options.out / "best.safetensors";
  if (root && !options.out.empty()) {
    std::filesystem::create_directories(options.out);
    log.open(log_file, std::ios::trunc);
    if (!log) throw std::runtime_error(log_file.string() + ": cannot open the training log for writing");
  }

  std::unique_ptr<DomainAdaptation> domain;
  std::vector<Tensor> parameters = model->parameters();
  if (options.unlabelled != nullptr) {
    domain = std::make_unique<DomainAdaptation>(options, model->feature_width());
    if (domain->head)
      for (const Tensor& p : domain->head->parameters()) parameters.push_back(p);
  }
  GradientAverager gradients(communicator, parameters);
  Adam optimizer(parameters, {.lr = options.lr});
  StepLR schedule(optimizer, options.lr_step_epochs, options.lr_gamma);
  data::Prefetcher batches(training_batches(train, options), 2);
  const std::size_t steps = steps_per_epoch(train.size(), options);
  const std::vector<double> weights = options.class_weights ? inverse_frequency_weights(train, options) : std::vector<double>{};

  // The fixed sample of real training images the batch-norm statistics are taken over.
  Generator sample_gen(derive_seed(options.seed, kBatchNormSample));
  std::vector<std::size_t> norm_sample = data::random_permutation(train.size(), sample_gen);
  norm_sample.resize(std::min(norm_sample.size(), static_cast<std::size_t>(options.batch_norm_images)));
  // With unlabelled images the statistics come from both domains, alternating, as training saw them.
  const data::Dataset norm_data = domain ? interleave_domains(train, norm_sample, *options.unlabelled, sample_gen) : train;
  if (domain) {
    norm_sample.resize(norm_data.size());
    std::iota(norm_sample.begin(), norm_sample.end(), 0);
  }

  ClassifierTrainResult result;
  TensorMap best_state;
  double best_loss = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    EpochReport r;
    r.epoch = epoch;
    r.learning_rate = optimizer.learning_rate();
    double loss_sum = 0, domain_loss_sum = 0;
    std::size_t correct = 0, seen = 0, domain_correct = 0, domain_seen = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      const data::Batch global_batch = batches.next();
      const data::Batch batch{share.rows(global_batch.images), share.rows(global_batch.labels)};
      optimizer.zero_grad();
      Tensor logits, loss, total;
      if (!domain) {
        logits = model->forward(training_images(batch.images), dropout_gen);  // (N, classes)
        total = loss = cross_entropy(logits, batch.labels, weights);
      } else {
        // One pass over both domains' images, so batch norm sees them together.
        const data::Batch global_target = domain->batches.next();
        const data::Batch target{share.rows(global_target.images), share.rows(global_target.labels)};
        const auto n = static_cast<std::int64_t>(batch.labels.size()), m = static_cast<std::int64_t>(target.labels.size());
        const Tensor features =
            model->features(concat({training_images(batch.images), target.images.to(options.device)}, 0));  // (N + M, w)
        logits = model->classify(slice(features, 0, 0, n), dropout_gen);
        loss = cross_entropy(logits, batch.labels, weights);
        const double progress = (static_cast<double>(epoch - 1) * static_cast<double>(steps) + static_cast<double>(step)) /
                                (static_cast<double>(options.epochs) * static_cast<double>(steps));
        const double coefficient = domain_coefficient(options.domain_lambda, progress);
        if (domain->head) {
          const Tensor domain_logits = domain->head->forward(gradient_reversal(features, coefficient));  // (N + M, 2)
          std::vector<int> domains(static_cast<std::size_t>(n), 0);
          domains.resize(static_cast<std::size_t>(n + m), 1);
          const Tensor domain_loss = cross_entropy(domain_logits, domains);
          total = add(loss, domain_loss);
          domain_loss_sum += domain_loss.item();
          const std::vector<int> guessed = argmax_rows(domain_logits.detach());
          for (std::size_t i = 0; i < guessed.size(); ++i) domain_correct += guessed[i] == domains[i];
          domain_seen += guessed.size();
        } else {
          const Tensor discrepancy = mmd2(slice(features, 0, 0, n), slice(features, 0, n, n + m));
          total = add(loss, mul(discrepancy, coefficient));
          domain_loss_sum += discrepancy.item();
        }
      }
      total.backward();
      std::vector<double> value_over_ranks{total.item()};
      communicator.all_reduce(value_over_ranks, ReduceOp::mean);  // every rank stops alike on NaN
      const double value = value_over_ranks[0];
      if (!std::isfinite(value)) {
        throw std::runtime_error(fmt::format("train_classifier: the loss is {} at epoch {}, step {}{}", value, epoch, step + 1,
                                             options.out.empty() || result.best_epoch == 0
                                                 ? std::string()
                                                 : fmt::format("; {} holds epoch {}", best_file.string(), result.best_epoch)));
      }
      gradients.average();
      optimizer.step();
      loss_sum += loss.item();
      const std::vector<int> predicted = argmax_rows(logits.detach());
      for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == batch.labels[i];
      seen += predicted.size();
    }
    schedule.step();
    std::vector<double> sums{loss_sum, domain_loss_sum, static_cast<double>(correct), static_cast<double>(seen),
                             static_cast<double>(domain_correct), static_cast<double>(domain_seen)};
    communicator.all_reduce(sums, ReduceOp::sum);
    loss_sum = sums[0] / communicator.size(), domain_loss_sum = sums[1] / communicator.size();
    correct = static_cast<std::size_t>(sums[2]), seen = static_cast<std::size_t>(sums[3]);
    domain_correct = static_cast<std::size_t>(sums[4]), domain_seen = static_cast<std::size_t>(sums[5]);
    r.train_loss = loss_sum / static_cast<double>(steps);
    r.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    if (domain) {
      r.domain_loss = domain_loss_sum / static_cast<double>(steps);
      r.domain_accuracy = domain_seen ? static_cast<double>(domain_correct) / static_cast<double>(domain_seen) : 0.0;
    }

    if (!norm_sample.empty()) precise_batch_norm(*model, norm_data, norm_sample, options.batch, options.device, communicator);
    const Validation v = validate(*model, validation, options.batch, options.device);
    r.validation_loss = v.loss;
    r.validation_accuracy = v.report.accuracy;
    r.validation_macro_f1 = v.report.macro_f1;
    // Ties in accuracy (common on small validation sets) go to the lower validation loss.
    r.best = epoch == 1 || r.validation_accuracy > result.best_validation_accuracy ||
             (r.validation_accuracy == result.best_validation_accuracy && r.validation_loss < best_loss);
    if (r.best) {
      result.best_epoch = epoch;
      result.best_validation_accuracy = r.validation_accuracy;
      best_loss = r.validation_loss;
      best_state = snapshot(*model);
      if (root && !options.out.empty()) save_classifier(best_file, *model, meta);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.history.push_back(r);
    if (log.is_open()) log << log_line(r, options.unlabelled != nullptr).dump() << "\n" << std::flush;
    if (root && options.on_epoch) options.on_epoch(r);
    if (options.patience > 0 && epoch - result.best_epoch >= options.patience) break;
  }
  model->load_state_dict(best_state);
  model->eval();
  result.model = std::move(model);
  return result;
}

Predictions predict(GlitchClassifier& model, const data::Dataset& data, int batch, Device device) {
  const auto classes = static_cast<std::size_t>(model.config().num_classes);
  const std::vector<float> rows = log_probabilities(model, data, batch, device);
  Predictions out;
  out.predicted = row_argmax(rows, classes);
  out.probabilities.resize(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    out.probabilities[i].resize(classes);
    for (std::size_t k = 0; k < classes; ++k) out.probabilities[i][k] = std::exp(rows[i * classes + k]);
  }
  return out;
}

}  // namespace gg::nets

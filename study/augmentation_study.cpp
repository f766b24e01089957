#include "study/augmentation_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "data/gravityspy_layout.h"
#include "data/gravityspy_loader.h"
#include "data/image_grid.h"
#include "data/png_io.h"
#include "data/splits.h"
#include "data/synth/synth_dataset.h"
#include "engine/posix_file.h"
#include "nets/gan_quality.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_run.h"
#include "nets/progan_sampling.h"

namespace gg::study {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void say(const StudyOptions& o, const std::string& line) {
  if (o.print) o.print(line);
}

void check_splits(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                  const StudyOptions& o) {
  for (const data::Dataset* d : {&validation, &test}) {
    if (d->class_names() != train.class_names() || d->channels() != train.channels() || d->height() != train.height() ||
        d->width() != train.width()) {
      throw std::invalid_argument("study: the train, validation and test splits must share classes and image shape");
    }
  }
  if (train.empty() || validation.empty() || test.empty()) {
    throw std::invalid_argument(fmt::format("study: empty split (train {}, validation {}, test {} images)", train.size(),
                                            validation.size(), test.size()));
  }
  if (train.height() != train.width() || train.height() != o.gan.net.resolution || train.channels() != o.gan.net.channels) {
    throw std::invalid_argument(fmt::format("study: the images are {}x{}x{} but the GAN makes {}x{}x{}", train.channels(),
                                            train.height(), train.width(), o.gan.net.channels, o.gan.net.resolution,
                                            o.gan.net.resolution));
  }
}

// SWD of G and Gs in the GAN's log compares them with at most this many training images (and the
// real floor two such draws): enough for stable levels at this project's sizes, cheap beside a round.
constexpr int kSwdImagesPerHalf = 256;

struct GanOutput {
  data::Dataset generated;
  double seconds = 0, kimg = 0;
  double gan_test_ema = 0, gan_test_raw = 0;
  std::vector<double> gan_test_per_class;
  std::optional<nets::SwdPair> swd;  // at the last evaluation
  double candidates_agreement = 0, kept_agreement = 0;
};

GanOutput train_gan_and_generate(const data::Dataset& train, const StudyOptions& o, const std::vector<std::size_t>& counts,
                                 nets::GlitchClassifier& judge) {
  const auto start = std::chrono::steady_clock::now();
  nets::ProganTrainConfig config = o.gan;
  config.class_names = train.class_names();
  config.net.num_classes = train.num_classes();
  nets::ProganTrainer trainer(config, train);
  const std::filesystem::path checkpoint = nets::checkpoint_path(o.out / "gan");
  const bool resumed = o.resume_gan && std::filesystem::exists(checkpoint);
  if (resumed) {
    nets::restore_checkpoint(trainer, nets::read_checkpoint(checkpoint, config.device), checkpoint);
    say(o, fmt::format("ProGAN: going on from {} at kimg {:.2f}", checkpoint.string(), trainer.state().kimg()));
  }
  say(o, fmt::format("ProGAN: {}x{}, conditional on {} classes, G {} / D {} parameters, {:g} kimg", config.net.resolution,
                     config.net.resolution, config.net.num_classes, trainer.generator().parameter_count(),
                     trainer.discriminator().parameter_count(), trainer.config().schedule.run_kimg()));
  nets::RunOptions run;
  run.out = o.out / "gan";
  run.checkpoint_kimg = trainer.config().schedule.run_kimg();  // phase ends and the end are enough here
  run.print = o.print;
  run.progress_seconds = o.gan_progress_seconds;
  run.metrics_kimg = o.gan_metrics_kimg;
  GanOutput out;
  bool evaluated = false;
  run.evaluate = [&](nets::ProganTrainer& t) -> std::vector<std::pair<std::string, double>> {
    evaluated = true;
    const auto [ema, raw] = nets::gan_test_run(t, judge, train.class_names(), o.gan_test_per_class, o.classifier.batch);
    out.gan_test_ema = ema.accuracy;
    out.gan_test_raw = raw.accuracy;
    out.gan_test_per_class = (o.sample_weights == nets::GanWeights::ema ? ema : raw).per_class;
    std::vector<std::pair<std::string, double>> metrics{{"gan_test_ema", ema.accuracy}, {"gan_test_raw", raw.accuracy}};
    out.swd = nets::swd_run(t, train, kSwdImagesPerHalf, o.classifier.batch);
    if (out.swd) {
      metrics.insert(metrics.end(),
                     {{"swd_ema", out.swd->ema}, {"swd_raw", out.swd->raw}, {"swd_real_floor", out.swd->real_floor}});
    }
    return metrics;
  };
  const nets::RunSummary summary = nets::run_training(trainer, run, resumed);
  if (!evaluated) run.evaluate(trainer);  // a finished checkpoint: its log holds these metrics already

  // Candidates: select_factor per image wanted, class by class; the judge keeps the likeliest.
  std::vector<int> labels;
  std::vector<std::size_t> drawn;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    drawn.push_back(counts[k] * static_cast<std::size_t>(o.select_factor));
    labels.insert(labels.end(), drawn.back(), static_cast<int>(k));
  }
  Generator latents(config.seed + 1000);
  nets::ProganGenerator& sampled =
      o.sample_weights == nets::GanWeights::ema ? trainer.ema_generator() : trainer.generator();
  const Tensor images = nets::generate_images(sampled, trainer.config().net, trainer.next_point(), labels, latents,
                                              /*truncation_free=*/false, 64, config.device);
  const data::Dataset candidates =
      nets::images_to_dataset(images, labels, train.class_names(), "s" + std::to_string(config.seed) + "n");
  const nets::Predictions judged = nets::predict(judge, candidates, o.classifier.batch, config.device);
  const std::vector<std::size_t> kept = most_probable_per_class(judged.probabilities, labels, counts);
  out.generated = o.select_factor == 1 ? candidates : candidates.subset(kept);
  auto agreement = [&](std::span<const std::size_t> indices) {
    std::size_t agree = 0;
    for (std::size_t i : indices) agree += judged.predicted[i] == labels[i] ? 1 : 0;
    return indices.empty() ? 0.0 : static_cast<double>(agree) / static_cast<double>(indices.size());
  };
  std::vector<std::size_t> all(candidates.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  out.candidates_agreement = agreement(all);
  out.kept_agreement = agreement(kept);
  out.seconds = seconds_since(start);
  out.kimg = summary.kimg;
  return out;
}

void write_generated(const data::Dataset& generated, const std::filesystem::path& root, const std::string& window) {
  const int window_index = data::window_index(std::stod(window));
  for (std::size_t i = 0; i < generated.size(); ++i) {
    const std::filesystem::path dir = root / generated.class_names()[static_cast<std::size_t>(generated.label(i))];
    std::filesystem::create_directories(dir);
    data::write_png(dir / data::spectrogram_name("GAN", generated.info(i).id, window_index), data::sample_image(generated, i));
  }
  data::write_png(root / "contact-sheet.png", data::contact_sheet(generated, 12));
}

nets::ClassifierTrainOptions classifier_options(const StudyOptions& o, const data::Dataset& train, std::filesystem::path out,
                                                const std::string& label) {
  nets::ClassifierTrainOptions c = o.classifier;
  c.net.channels = train.channels();
  c.net.resolution = train.height();
  c.net.num_classes = train.num_classes();
  c.extra = nullptr;
  c.init.clear();
  c.out = std::move(out);
  c.on_epoch = [&o, label, epochs = c.epochs](const nets::EpochReport& e) {
    say(o, fmt::format("[{:<12}] epoch {:>3}/{}  loss {:.4f}  train acc {:5.1f}%  val acc {:5.1f}%  val macro-F1 {:.3f}  "
                       "{:.1f} s{}",
                       label, e.epoch, epochs, e.train_loss, 100 * e.train_accuracy, 100 * e.validation_accuracy,
                       e.validation_macro_f1, e.seconds, e.best ? "  *" : ""));
  };
  return c;
}

// A pre-training stage's classifier, trained on generated or synthetic images (from `init`, when
// given) with early stopping on the real validation split: its checkpoint, its history, and its
// accuracy on the real test split (GAN-train for the generated-only stage, sim->real for the
// synthetic-only one).
struct Pretrained {
  std::filesystem::path checkpoint;
  std::vector<nets::EpochReport> history;
  double accuracy = 0;
  double seconds = 0;
};

Pretrained pretrain(const data::Dataset& images, const data::Dataset& validation, const data::Dataset& test,
                    const std::filesystem::path& init, const std::string& name, const StudyOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  nets::ClassifierTrainOptions c = classifier_options(o, images, o.out / ("classifier-" + name), name);
  c.init = init;
  nets::GanTrainResult r = nets::gan_train(images, validation, test, c);
  return {c.out / "best.safetensors", std::move(r.trained.history), r.test.accuracy, seconds_since(start)};
}

// The synthetic pre-training set at the study data's geometry, written once per settings.
data::Dataset synthetic_set(const data::Dataset& train, const StudyOptions& o) {
  const std::filesystem::path dir = o.synth_dir.empty() ? o.out / "synth-pretrain-data" : o.synth_dir;
  data::synth::SynthDatasetOptions s;
  s.out = dir / "scans";
  s.per_class = o.synth_per_class;
  s.classes = train.class_names();
  s.seed = o.synth_seed;
  s.windows = {std::stod(o.gan.window)};
  s.scan.models = o.synth_models;
  s.scan.q.norm = o.synth_energy_norm;
  try {
    data::synth::check_synth_options(s);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("synth-pretrain: ") + e.what());
  }
  const nlohmann::json settings = {{"classes", s.classes}, {"per_class", s.per_class}, {"seed", s.seed}, {"windows", s.windows},
                                 {"models", data::synth::model_set_name(s.scan.models)},
                                 {"energy_norm", data::synth::energy_norm_name(s.scan.q.norm)}};
  const std::filesystem::path stamp = dir / "synth-settings.json";
  std::string written;
  if (std::ifstream in(stamp); in) written.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (written != settings.dump()) {
    say(o, fmt::format("synth-pretrain: writing {} synthetic scans per class to {}", s.per_class, s.out.string()));
    std::filesystem::remove_all(dir);
    data::synth::write_synth_dataset(s);
    write_text_file_atomic(stamp, settings.dump());
  }
  data::LoadOptions load;
  load.root = s.out;
  load.preprocess.windows = s.windows;
  load.preprocess.height = train.height();
  load.preprocess.width = train.width();
  load.preprocess.color = train.channels() == 3 ? data::ColorMode::rgb : data::ColorMode::gray;
  load.classes = train.class_names();
  load.cache_dir = dir / "cache";
  return data::load_gravityspy(load).dataset;
}

// The checkpoints the methods start from (empty: from scratch).
struct Initialisations {
  std::optional<Pretrained> gan_only, synth_only, synth_then_gan;
};

struct TrainedMethod {
  MethodResult result;
  std::shared_ptr<nets::GlitchClassifier> model;
};

TrainedMethod run_method(Method method, double share, const data::Dataset& train, const data::Dataset& validation,
                         const data::Dataset& test, const data::Dataset& generated, const Initialisations& init,
                         const StudyOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  TrainedMethod t;
  MethodResult& r = t.result;
  r.method = method;
  r.real_share = share;
  const std::string label = share < 1 ? fmt::format("{}@{:g}", method_name(method), share) : method_name(method);
  r.run = o.out / (share < 1 ? fmt::format("classifier-{}-share-{:g}", method_name(method), share)
                             : "classifier-" + method_name(method));
  const data::Dataset real = real_share_subset(train, share, o.classifier.seed);
  nets::ClassifierTrainOptions c = classifier_options(o, real, r.run, label);
  if (method == Method::real_plus_gan) c.extra = &generated;
  const std::optional<Pretrained>& start_from = method == Method::gan_pretrain       ? init.gan_only
                                                : method == Method::synth_pretrain     ? init.synth_only
                                                : method == Method::synth_gan_pretrain ? init.synth_then_gan
                                                                                       : std::nullopt;
  if (start_from) {
    r.pretrain_history = start_from->history;
    c.init = start_from->checkpoint;
  }
  const nets::ClassifierTrainResult trained = nets::train_classifier(real, validation, c);
  r.history = trained.history;
  r.best_epoch = trained.best_epoch;
  const nets::Predictions predictions = nets::predict(*trained.model, test, c.batch, c.device);
  r.test = nets::evaluate_predictions(test.labels(), predictions.predicted, test.num_classes());
  r.seconds = seconds_since(start);
  say(o, fmt::format("{}: test accuracy {:.1f}%, macro-F1 {:.3f} (best epoch {}, {:.0f} s)", label, 100 * r.test.accuracy,
                     r.test.macro_f1, r.best_epoch, r.seconds));
  t.model = trained.model;
  return t;
}

void check_real_share(double share) {
  if (!(share > 0 && share <= 1)) throw std::invalid_argument(fmt::format("study: real share must be in (0, 1], got {:g}", share));
}

}  // namespace

std::string method_name(Method method) {
  switch (method) {
    case Method::real: return "real";
    case Method::real_plus_gan: return "real+gan";
    case Method::gan_pretrain: return "gan-pretrain";
    case Method::synth_pretrain: return "synth-pretrain";
    case Method::synth_gan_pretrain: return "synth+gan-pretrain";
  }
  throw std::logic_error("unknown study method");
}

const std::vector<Method>& all_methods() {
  static const std::vector<Method> methods{Method::real, Method::real_plus_gan, Method::gan_pretrain};
  return methods;
}

const std::vector<Method>& known_methods() {
  static const std::vector<Method> methods{Method::real, Method::real_plus_gan, Method::gan_pretrain, Method::synth_pretrain,
                                           Method::synth_gan_pretrain};
  return methods;
}

bool uses_synthetic(Method method) { return method == Method::synth_pretrain || method == Method::synth_gan_pretrain; }

bool uses_generated(Method method) {
  return method == Method::real_plus_gan || method == Method::gan_pretrain || method == Method::synth_gan_pretrain;
}

std::vector<Method> parse_methods(const std::string& text) {
  std::vector<Method> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string name = text.substr(begin, end - begin);
    const auto& all = known_methods();
    const auto it = std::find_if(all.begin(), all.end(), [&](Method m) { return method_name(m) == name; });
    if (it == all.end())
      throw std::invalid_argument("unknown method '" + name + "' (real, real+gan, gan-pretrain, synth-pretrain, synth+gan-pretrain)");
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
    begin = end + 1;
  }
  return out;
}

const MethodResult& StudyResult::result(Method method, double real_share) const {
  for (const MethodResult& r : methods)
    if (r.method == method && r.real_share == real_share) return r;
  throw std::invalid_argument(fmt::format("the study did not run method {} at real share {:g}", method_name(method), real_share));
}

data::Dataset real_share_subset(const data::Dataset& train, double share, std::uint64_t seed) {
  check_real_share(share);
  if (share == 1) return train;
  std::vector<std::size_t> counts;
  for (std::size_t n : train.class_counts())
    counts.push_back(std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(share * static_cast<double>(n) - 1e-9))));
  return data::take_per_class(train, counts, nets::derive_seed(seed, 31));
}

std::vector<std::size_t> most_probable_per_class(const std::vector<std::vector<float>>& probabilities,
                                                 std::span<const int> labels, const std::vector<std::size_t>& keep) {
  if (probabilities.size() != labels.size())
    throw std::invalid_argument("most_probable_per_class: one probability row per label needed");
  std::vector<std::vector<std::size_t>> by_class(keep.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto k = static_cast<std::size_t>(labels[i]);
    if (labels[i] < 0 || k >= keep.size() || k >= probabilities[i].size())
      throw std::invalid_argument(fmt::format("most_probable_per_class: label {} out of range", labels[i]));
    by_class[k].push_back(i);
  }
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < keep.size(); ++k) {
    std::vector<std::size_t>& members = by_class[k];
    if (members.size() < keep[k])
      throw std::invalid_argument(fmt::format("most_probable_per_class: class {} has {} images, {} to keep", k,
                                              members.size(), keep[k]));
    std::stable_sort(members.begin(), members.end(),
                     [&](std::size_t a, std::size_t b) { return probabilities[a][k] > probabilities[b][k]; });
    out.insert(out.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(keep[k]));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::size_t> generated_counts(const std::vector<std::size_t>& real_counts, double enlarge) {
  if (!(enlarge >= 1)) throw std::invalid_argument("study: enlarge must be at least 1");
  const std::size_t largest = real_counts.empty() ? 0 : *std::max_element(real_counts.begin(), real_counts.end());
  const auto target = static_cast<std::size_t>(std::ceil(enlarge * static_cast<double>(largest)));
  std::vector<std::size_t> out;
  for (std::size_t n : real_counts) out.push_back(std::max<std::size_t>(1, target > n ? target - n : 0));
  return out;
}

// Trains the GAN, samples the generated images and measures them: GAN-test by the `real` classifier
// `judge`, GAN-train (a classifier on generated images only, the gan-pretrain methods' start) into `init`.
GanOutput train_and_judge_gan(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                              nets::GlitchClassifier& judge, const StudyOptions& options, StudyResult& result,
                              Initialisations& init) {
  GanOutput gan = train_gan_and_generate(train, options, result.generated_counts, judge);
  result.gan_seconds = gan.seconds;
  result.gan_kimg = gan.kimg;
  result.gan_test_ema = gan.gan_test_ema;
  result.gan_test_raw = gan.gan_test_raw;
  result.gan_test_accuracy = options.sample_weights == nets::GanWeights::ema ? gan.gan_test_ema : gan.gan_test_raw;
  result.gan_test_per_class = gan.gan_test_per_class;
  result.candidates_agreement = gan.candidates_agreement;
  result.kept_agreement = gan.kept_agreement;
  if (gan.swd) {
    result.swd_ema = gan.swd->ema;
    result.swd_raw = gan.swd->raw;
    result.swd_real_floor = gan.swd->real_floor;
  }
  if (options.write_generated_pngs) write_generated(gan.generated, options.out / "generated", options.gan.window);
  say(options, fmt::format("generated {} images ({} per class at most) in {:.0f} s of GAN training and sampling; GAN-test "
                           "{:.1f}% (Gs) / {:.1f}% (G)",
                           gan.generated.size(),
                           *std::max_element(result.generated_counts.begin(), result.generated_counts.end()), gan.seconds,
                           100 * gan.gan_test_ema, 100 * gan.gan_test_raw));
  if (options.select_factor > 1) {
    say(options, fmt::format("selection: the real classifier kept 1 in {} generated images; it assigns {:.1f}% of those "
                             "drawn and {:.1f}% of those kept to their class",
                             options.select_factor, 100 * gan.candidates_agreement, 100 * gan.kept_agreement));
  }
  init.gan_only = pretrain(gan.generated, validation, test, {}, "gan-only", options);
  result.gan_train_accuracy = init.gan_only->accuracy;
  result.gan_train_seconds = init.gan_only->seconds;
  say(options, fmt::format("GAN-train: a classifier trained on generated images only reaches {:.1f}% on the real test split",
                           100 * result.gan_train_accuracy));
  return gan;
}

StudyResult run_study(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                      const StudyOptions& options) {
  check_splits(train, validation, test, options);
  if (options.methods.empty()) throw std::invalid_argument("study: no methods to run");
  if (options.real_shares.empty()) throw std::invalid_argument("study: no real shares to run");
  for (double share : options.real_shares) check_real_share(share);
  if (options.gan_test_per_class < 1) throw std::invalid_argument("study: GAN-test needs at least one image per class");
  if (options.select_factor < 1) throw std::invalid_argument("study: the select factor must be at least 1");
  std::filesystem::create_directories(options.out);
  // Without a method that uses generated images (e.g. real,synth-pretrain) no GAN is trained.
  const bool needs_gan = std::any_of(options.methods.begin(), options.methods.end(), uses_generated);
  StudyResult result;
  result.class_names = train.class_names();
  result.real_counts = train.class_counts();
  result.generated_counts = needs_gan ? generated_counts(result.real_counts, options.enlarge)
                                      : std::vector<std::size_t>(result.real_counts.size(), 0);
  result.sample_weights = options.sample_weights;

  // `real` on all real images comes first: it is the baseline and GAN-test's judge.
  TrainedMethod judge = run_method(Method::real, 1.0, train, validation, test, data::Dataset(), {}, options);
  const bool report_real = std::find(options.methods.begin(), options.methods.end(), Method::real) != options.methods.end();

  Initialisations init;
  GanOutput gan;
  if (needs_gan) {
    result.gan_run = options.out / "gan";
    gan = train_and_judge_gan(train, validation, test, *judge.model, options, result, init);
  }
  const auto asked = [&](Method m) { return std::find(options.methods.begin(), options.methods.end(), m) != options.methods.end(); };
  if (std::any_of(options.methods.begin(), options.methods.end(), uses_synthetic)) {
    const data::Dataset synthetic = synthetic_set(train, options);
    init.synth_only = pretrain(synthetic, validation, test, {}, "synth-only", options);
    result.synth_only_accuracy = init.synth_only->accuracy;
    say(options, fmt::format("sim->real: a classifier trained on synthetic scans only reaches {:.1f}% on the real test split",
                             100 * result.synth_only_accuracy));
    if (asked(Method::synth_gan_pretrain)) {
      init.synth_then_gan = pretrain(gan.generated, validation, test, init.synth_only->checkpoint, "synth-then-gan", options);
      say(options, fmt::format("synth-then-gan: {:.1f}% on the real test split", 100 * init.synth_then_gan->accuracy));
    }
  }
  for (double share : options.real_shares) {
    for (Method m : options.methods) {
      if (m == Method::real && share == 1) {
        if (report_real) result.methods.push_back(judge.result);
        continue;
      }
      result.methods.push_back(run_method(m, share, train, validation, test, gan.generated, init, options).result);
    }
  }
  return result;
}

}  // namespace gg::study

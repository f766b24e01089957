// `glitchgan train-classifier`: trains the glitch classifier on a Gravity Spy folder, optionally
// with generated images mixed into each batch or fine-tuning a classifier trained on them; the
// run folder gets best.safetensors (+ .json), log.jsonl and the decoded-image cache.
#include <fmt/format.h>

#include <memory>
#include <sstream>

#include "data/gravityspy_layout.h"
#include "nets/classifier_checkpoint.h"
#include "nets/classifier_data.h"
#include "nets/classifier_trainer.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/job_cli.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct TrainClassifierFlags {
  std::filesystem::path data, out, extra, init, unlabelled;
  double extra_ratio = 0.5, domain_lambda = 0.1;
  int epochs = 20, batch = 32, patience = 5;
  double lr = 1e-3, dropout = 0.5;
  double augment = 0, augment_shift = nets::TimeAugmentOptions{}.max_shift, augment_cutout = nets::TimeAugmentOptions{}.cutout;
  std::uint64_t seed = 1;
  std::string device = "cpu", domain_method = "dann";
  int resolution = 64, channels = 1;
  std::string window = "1.0", widths = "32,64,128,256";
  bool class_weights = false, balanced = false;
};

std::vector<int> parse_widths(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      std::size_t used = 0;
      out.push_back(std::stoi(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw std::invalid_argument("--widths " + text + ": expected comma-separated channel counts, e.g. 32,64,128,256");
    }
  }
  return out;
}

std::string split_counts(const data::Dataset& d) {
  std::string out;
  const std::vector<std::size_t> counts = d.class_counts();
  for (std::size_t k = 0; k < counts.size(); ++k) out += fmt::format("{}{} {}", k ? ", " : "", d.class_names()[k], counts[k]);
  return out;
}

// With --init, the network flags not given come from the checkpoint (its window too, when it
// used one); its crop is not taken, since a classifier pre-trained on generated images had none.
void take_from_init(TrainClassifierFlags& f, const CLI::App& cmd) {
  const nets::ClassifierCheckpoint meta = nets::load_classifier(f.init, Device::cpu()).meta;
  auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  if (!given("--resolution")) f.resolution = meta.config.resolution;
  if (!given("--channels")) f.channels = meta.config.channels;
  if (!given("--dropout")) f.dropout = meta.config.dropout;
  if (!given("--widths")) f.widths = fmt::format("{}", fmt::join(meta.config.widths, ","));
  if (!given("--window") && meta.preprocess.windows.size() == 1) {
    f.window = data::kWindowNames[static_cast<std::size_t>(data::window_index(meta.preprocess.windows[0]))];
  }
}

void train_classifier_command(TrainClassifierFlags f, const CLI::App& cmd, distributed::Job& job) {
  Communicator& communicator = *job.communicator;
  const bool root = communicator.is_root();
  if (f.extra.empty() && cmd.count("--extra-ratio") > 0) {
    throw std::invalid_argument("--extra-ratio needs --extra (a folder of generated images)");
  }
  if (f.unlabelled.empty() && (cmd.count("--domain-lambda") > 0 || cmd.count("--domain-method") > 0)) {
    throw std::invalid_argument("--domain-lambda and --domain-method need --unlabelled (a folder of target-domain images)");
  }
  if (f.augment == 0 && (cmd.count("--augment-shift") > 0 || cmd.count("--augment-cutout") > 0)) {
    throw std::invalid_argument("--augment-shift and --augment-cutout need --augment (the probability of each transform)");
  }
  nets::ClassifierTrainOptions o;
  o.device = job.device;
  o.communicator = &communicator;
  if (f.batch % communicator.size() != 0)
    throw std::invalid_argument(fmt::format("--batch {} does not split over {} ranks", f.batch, communicator.size()));
  if (!f.init.empty()) take_from_init(f, cmd);
  o.net.channels = f.channels;
  o.net.resolution = f.resolution;
  o.net.widths = parse_widths(f.widths);
  o.net.dropout = f.dropout;
  o.epochs = f.epochs;
  o.batch = f.batch;
  o.lr = f.lr;
  o.patience = f.patience;
  o.seed = f.seed;
  o.class_weights = f.class_weights;
  o.balanced = f.balanced;
  o.augment.probability = f.augment;
  o.augment.max_shift = f.augment_shift;
  o.augment.cutout = f.augment_cutout;
  o.extra_ratio = f.extra_ratio;
  o.domain_lambda = f.domain_lambda;
  o.domain_method = f.domain_method == "mmd" ? nets::ClassifierTrainOptions::DomainMethod::mmd
                                             : nets::ClassifierTrainOptions::DomainMethod::dann;
  o.init = f.init;
  o.out = f.out;

  data::PreprocessOptions preprocess;
  preprocess.windows = {std::stod(f.window)};
  preprocess.height = preprocess.width = f.resolution;
  preprocess.color = f.channels == 3 ? data::ColorMode::rgb : data::ColorMode::gray;
  o.preprocess = preprocess;
  try {
    o.net.num_classes = 2;  // checked for real once the data says how many classes there are
    o.net.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--resolution / --widths / --dropout: ") + e.what());
  }

  const std::filesystem::path cache = f.out / "data-cache";
  const data::Dataset all = load_once_per_job<data::Dataset>(
      communicator, [&] { return load_classifier_data(f.data, preprocess, cache, "--data", root); });
  if (all.num_classes() < 2) throw std::invalid_argument("--data " + f.data.string() + ": needs at least 2 classes, found 1");
  o.net.num_classes = all.num_classes();
  const data::Splits splits = nets::classifier_splits(all, f.seed);
  const bool folders = !all.info(0).split.empty();
  if (root)
    fmt::print("splits ({}): train {}, validation {}, test {}\n", folders ? "split folders" : fmt::format("stratified 80/10/10, seed {}", f.seed),
             splits.train.size(), splits.validation.size(), splits.test.size());
  if (root) fmt::print("train: {}\n", split_counts(splits.train));
  if (splits.train.empty() || splits.validation.empty()) {
    throw std::invalid_argument("--data " + f.data.string() + ": the " + (splits.train.empty() ? "training" : "validation") +
                                " split is empty; the classifier needs both (add images or split folders)");
  }

  data::Dataset extra;
  if (!f.extra.empty()) {
    try {
      extra = load_once_per_job<data::Dataset>(
          communicator, [&] { return nets::load_generated(f.extra, preprocess, all.class_names(), cache); });
    } catch (const std::exception& e) {
      throw std::runtime_error("--extra " + f.extra.string() + ": " + e.what());
    }
    o.extra = &extra;
    if (root)
      fmt::print("--extra: {} generated images ({}), {:.0f}% of each batch\n", extra.size(), split_counts(extra), 100 * f.extra_ratio);
  }

  data::Dataset unlabelled;
  if (!f.unlabelled.empty()) {
    unlabelled = load_once_per_job<data::Dataset>(communicator, [&] {
      return load_classifier_data(f.unlabelled, preprocess, f.out / "data-cache-unlabelled", "--unlabelled", root);
    });
    o.unlabelled = &unlabelled;
    if (root)
      fmt::print("--unlabelled: {} target-domain images, labels unused; domain adaptation ({}) with lambda up to {}\n",
               unlabelled.size(), f.domain_method, f.domain_lambda);
  }

  Generator probe(0);
  const std::int64_t parameters = nets::GlitchClassifier(o.net, probe).parameter_count();
  const std::size_t steps = nets::steps_per_epoch(splits.train.size(), o);
  if (root)
    fmt::print("train-classifier: {}x{} x{} channel(s), {} classes, widths {}, {} parameters, {} step(s) of {} per epoch, "
               "{} sampling{}{}{} on {} ({})\n",
               f.resolution, f.resolution, f.channels, o.net.num_classes, f.widths, parameters, steps, f.batch,
               f.balanced ? "class-balanced" : "shuffled", f.class_weights ? ", class weights" : "",
               f.augment > 0 ? fmt::format(", time shift (up to {:g} of the width) and cutout ({:g}) each with p {:g}",
                                           f.augment_shift, f.augment_cutout, f.augment)
                             : "",
               f.init.empty() ? "" : ", fine-tuning " + f.init.string(), o.device.str(), communicator.describe());

  double elapsed = 0;
  o.on_epoch = [&](const nets::EpochReport& e) {
    elapsed += e.seconds;
    const double eta = elapsed / e.epoch * (f.epochs - e.epoch);
    fmt::print("epoch {:>3}/{}  loss {:.4f}  train acc {:6.2f}%  val loss {:.4f}  val acc {:6.2f}%  val macro-F1 {:.4f}  "
               "lr {:.0e}  {:6.1f} img/s  ETA {}{}{}\n",
               e.epoch, f.epochs, e.train_loss, 100 * e.train_accuracy, e.validation_loss, 100 * e.validation_accuracy,
               e.validation_macro_f1, e.learning_rate, static_cast<double>(steps * static_cast<std::size_t>(f.batch)) / e.seconds,
               duration_text(eta),
               !o.unlabelled ? std::string()
               : f.domain_method == "dann"
                   ? fmt::format("  domain loss {:.4f} acc {:5.1f}%", e.domain_loss, 100 * e.domain_accuracy)
                   : fmt::format("  MMD^2 {:.4f}", e.domain_loss),
               e.best ? "  * best" : "");
    std::fflush(stdout);
  };
  const nets::ClassifierTrainResult result = nets::train_classifier(splits.train, splits.validation, o);
  if (!root) return;
  const bool stopped = static_cast<int>(result.history.size()) < f.epochs;
  fmt::print("done{}: best epoch {} (validation accuracy {:.2f}%) in {}; checkpoint {}\n",
             stopped ? fmt::format(" (early stop after {} epochs without improvement)", f.patience) : "", result.best_epoch,
             100 * result.best_validation_accuracy, duration_text(elapsed), (f.out / "best.safetensors").string());
  if (!splits.test.empty()) {
    const nets::Predictions p = nets::predict(*result.model, splits.test, f.batch, o.device);
    fmt::print("\ntest split:\n{}",
               report_text(nets::evaluate_predictions(splits.test.labels(), p.predicted, splits.test.num_classes()),
                           splits.test.class_names(), 5));
  }
}

}  // namespace

void add_train_classifier_command(CLI::App& app) {
  auto f = std::make_shared<TrainClassifierFlags>();
  CLI::App* cmd = app.add_subcommand("train-classifier", "Train the glitch classifier (CNN) on Gravity Spy images, "
                                                         "optionally with generated images or from a pre-trained classifier "
                                                         "(data parallel under mpirun -np N)");
  cmd->add_option("--data", f->data, "Gravity Spy folder; its train/validation/test folders are the splits, "
                                     "else a stratified 80/10/10 split by --seed")->required();
  cmd->add_option("--out", f->out, "run folder: best.safetensors (+ .json), log.jsonl, data-cache/")->required();
  cmd->add_option("--extra", f->extra, "folder of generated images as `glitchgan sample` writes them, mixed into each batch");
  cmd->add_option("--extra-ratio", f->extra_ratio, "share of each batch drawn from --extra")
      ->check(in_range(0.0, 0.99))->capture_default_str();
  cmd->add_option("--unlabelled", f->unlabelled,
                  "folder of target-domain images (e.g. real glitches for synthetic training data), labels unused: "
                  "domain adaptation by gradient reversal (DANN)");
  cmd->add_option("--domain-method", f->domain_method,
                  "dann: a domain head behind a gradient reversal; mmd: the squared MMD of the two domains' features as a loss")
      ->check(CLI::IsMember({"dann", "mmd"}))->capture_default_str();
  cmd->add_option("--domain-lambda", f->domain_lambda,
                  "the domain term's coefficient at the end of training, ramped up from 0 (DANN: the gradient "
                  "reversal's; MMD: the loss weight)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--init", f->init, "classifier checkpoint to fine-tune (same classes and network; the network "
                                     "flags and --window not given are taken from it)");
  cmd->add_option("--epochs", f->epochs, "most epochs (one epoch shows every real training image once)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--batch", f->batch, "minibatch")->check(positive())->capture_default_str();
  cmd->add_option("--lr", f->lr, "Adam learning rate, x0.1 every 7 epochs")->check(positive())->capture_default_str();
  cmd->add_option("--patience", f->patience, "stop after this many epochs without a better validation accuracy (0: off)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed of the split and of every random stream")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]; under mpirun each rank takes GPU N + its rank on the host")
      ->capture_default_str();
  cmd->add_option("--resolution", f->resolution, "input size (a multiple of 2^blocks)")->check(positive())->capture_default_str();
  cmd->add_option("--channels", f->channels, "1: gray, 3: RGB")->check(CLI::IsMember({1, 3}))->capture_default_str();
  cmd->add_option("--window", f->window, "time window of the scans in seconds")
      ->check(one_of(data::kWindowNames))->capture_default_str();
  cmd->add_option("--widths", f->widths, "channels of each conv block (two 3x3 conv-BN-ReLU, 2x2 max pool)")->capture_default_str();
  cmd->add_option("--dropout", f->dropout, "dropout before the linear head")->check(in_range(0.0, 0.99))->capture_default_str();
  cmd->add_flag("--class-weights", f->class_weights, "weight the cross-entropy by inverse class frequency");
  cmd->add_flag("--balanced", f->balanced, "class-balanced sampling instead of shuffled epochs");
  cmd->add_option("--augment", f->augment,
                  "probability of a circular time shift and of a time cutout per training image, drawn every step (0: off)")
      ->check(in_range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--augment-shift", f->augment_shift, "largest time shift, as a share of the width")
      ->check(in_range(0.0, 0.99))->capture_default_str();
  cmd->add_option("--augment-cutout", f->augment_cutout, "width of the cut band of columns, as a share of the width")
      ->check(in_range(0.0, 0.99))->capture_default_str();
  cmd->callback([f, cmd] { run_as_job(f->device, [&](distributed::Job& job) { train_classifier_command(*f, *cmd, job); }); });
}

}  // namespace gg::tools

#include "study/augmentation_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "data/gravityspy_layout.h"
#include "data/image_grid.h"
#include "data/png_io.h"
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

struct GanOutput {
  data::Dataset generated;
  double seconds = 0, kimg = 0;
};

GanOutput train_gan_and_generate(const data::Dataset& train, const StudyOptions& o, const std::vector<std::size_t>& counts) {
  const auto start = std::chrono::steady_clock::now();
  nets::ProganTrainConfig config = o.gan;
  config.class_names = train.class_names();
  config.net.num_classes = train.num_classes();
  nets::ProganTrainer trainer(config, train);
  say(o, fmt::format("ProGAN: {}x{}, conditional on {} classes, G {} / D {} parameters, {:g} kimg", config.net.resolution,
                     config.net.resolution, config.net.num_classes, trainer.generator().parameter_count(),
                     trainer.discriminator().parameter_count(), trainer.config().schedule.run_kimg()));
  nets::RunOptions run;
  run.out = o.out / "gan";
  run.checkpoint_kimg = trainer.config().schedule.run_kimg();  // phase ends and the end are enough here
  run.print = o.print;
  run.progress_seconds = o.gan_progress_seconds;
  const nets::RunSummary summary = nets::run_training(trainer, run, /*resumed=*/false);

  std::vector<int> labels;
  for (std::size_t k = 0; k < counts.size(); ++k) labels.insert(labels.end(), counts[k], static_cast<int>(k));
  Generator latents(config.seed + 1000);
  const Tensor images = nets::generate_images(trainer.ema_generator(), trainer.config().net, trainer.next_point(), labels,
                                              latents, /*truncation_free=*/false, 64, config.device);
  GanOutput out;
  out.generated = nets::images_to_dataset(images, labels, train.class_names(), "s" + std::to_string(config.seed) + "n");
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

MethodResult run_method(Method method, const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                        const data::Dataset& generated, const StudyOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  MethodResult r;
  r.method = method;
  r.run = o.out / ("classifier-" + method_name(method));
  nets::ClassifierTrainOptions c = classifier_options(o, train, r.run, method_name(method));
  if (method == Method::real_plus_gan) c.extra = &generated;
  if (method == Method::gan_pretrain) {
    const nets::ClassifierTrainOptions pre = classifier_options(o, train, r.run / "pretrain", "pretrain");
    r.pretrain_history = nets::train_classifier(generated, validation, pre).history;
    c.init = pre.out / "best.safetensors";
  }
  const nets::ClassifierTrainResult trained = nets::train_classifier(train, validation, c);
  r.history = trained.history;
  r.best_epoch = trained.best_epoch;
  const nets::Predictions predictions = nets::predict(*trained.model, test, c.batch, c.device);
  r.test = nets::evaluate_predictions(test.labels(), predictions.predicted, test.num_classes());
  r.seconds = seconds_since(start);
  say(o, fmt::format("{}: test accuracy {:.1f}%, macro-F1 {:.3f} (best epoch {}, {:.0f} s)", method_name(method),
                     100 * r.test.accuracy, r.test.macro_f1, r.best_epoch, r.seconds));
  return r;
}

}  // namespace

std::string method_name(Method method) {
  switch (method) {
    case Method::real: return "real";
    case Method::real_plus_gan: return "real+gan";
    case Method::gan_pretrain: return "gan-pretrain";
  }
  throw std::logic_error("unknown study method");
}

const std::vector<Method>& all_methods() {
  static const std::vector<Method> methods{Method::real, Method::real_plus_gan, Method::gan_pretrain};
  return methods;
}

std::vector<Method> parse_methods(const std::string& text) {
  std::vector<Method> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string name = text.substr(begin, end - begin);
    const auto& all = all_methods();
    const auto it = std::find_if(all.begin(), all.end(), [&](Method m) { return method_name(m) == name; });
    if (it == all.end()) throw std::invalid_argument("unknown method '" + name + "' (real, real+gan, gan-pretrain)");
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
    begin = end + 1;
  }
  return out;
}

const MethodResult& StudyResult::result(Method method) const {
  for (const MethodResult& r : methods)
    if (r.method == method) return r;
  throw std::invalid_argument("the study did not run method " + method_name(method));
}

std::vector<std::size_t> generated_counts(const std::vector<std::size_t>& real_counts, double enlarge) {
  if (!(enlarge >= 1)) throw std::invalid_argument("study: enlarge must be at least 1");
  const std::size_t largest = real_counts.empty() ? 0 : *std::max_element(real_counts.begin(), real_counts.end());
  const auto target = static_cast<std::size_t>(std::ceil(enlarge * static_cast<double>(largest)));
  std::vector<std::size_t> out;
  for (std::size_t n : real_counts) out.push_back(std::max<std::size_t>(1, target > n ? target - n : 0));
  return out;
}

StudyResult run_study(const data::Dataset& train, const data::Dataset& validation, const data::Dataset& test,
                      const StudyOptions& options) {
  check_splits(train, validation, test, options);
  if (options.methods.empty()) throw std::invalid_argument("study: no methods to run");
  std::filesystem::create_directories(options.out);
  StudyResult result;
  result.class_names = train.class_names();
  result.real_counts = train.class_counts();
  result.generated_counts = generated_counts(result.real_counts, options.enlarge);
  result.gan_run = options.out / "gan";

  const GanOutput gan = train_gan_and_generate(train, options, result.generated_counts);
  result.gan_seconds = gan.seconds;
  result.gan_kimg = gan.kimg;
  if (options.write_generated_pngs) write_generated(gan.generated, options.out / "generated", options.gan.window);
  say(options, fmt::format("generated {} images ({} per class at most) in {:.0f} s of GAN training and sampling",
                           gan.generated.size(),
                           *std::max_element(result.generated_counts.begin(), result.generated_counts.end()), gan.seconds));
  for (Method m : options.methods) result.methods.push_back(run_method(m, train, validation, test, gan.generated, options));
  return result;
}

}  // namespace gg::study

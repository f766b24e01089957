#include "nets/gan_quality.h"

#include <algorithm>
#include <fmt/core.h>
#include <stdexcept>

#include "engine/autograd.h"
#include "data/samplers.h"
#include "nets/progan_sampling.h"

namespace gg::nets {

GanTestResult gan_test(GlitchClassifier& judge, const std::vector<std::string>& judge_classes,
                       const data::Dataset& generated, int batch, Device device) {
  if (generated.empty()) throw std::invalid_argument("GAN-test: no generated images");
  std::vector<int> judge_label;  // generated class k -> the judge's output for that class
  for (const std::string& name : generated.class_names()) {
    const auto it = std::find(judge_classes.begin(), judge_classes.end(), name);
    if (it == judge_classes.end()) {
      throw std::invalid_argument("GAN-test: the classifier does not know the generated class '" + name + "'");
    }
    judge_label.push_back(static_cast<int>(it - judge_classes.begin()));
  }
  const Predictions predictions = predict(judge, generated, batch, device);
  std::vector<int> truth;
  for (std::size_t i = 0; i < generated.size(); ++i) truth.push_back(judge_label[static_cast<std::size_t>(generated.label(i))]);
  const ClassificationReport report =
      evaluate_predictions(truth, predictions.predicted, static_cast<int>(judge_classes.size()));
  GanTestResult out;
  out.accuracy = report.accuracy;
  out.images = generated.size();
  for (int k : judge_label) out.per_class.push_back(report.per_class[static_cast<std::size_t>(k)].recall);
  return out;
}

data::Dataset generate_per_class(ProganGenerator& generator, const ProganConfig& net, const SchedulePoint& point,
                                 const std::vector<std::string>& class_names, int per_class, std::uint64_t seed,
                                 Device device) {
  const int classes = net.num_classes > 0 ? net.num_classes : 1;
  if (static_cast<int>(class_names.size()) != classes) {
    throw std::invalid_argument(fmt::format("generate_per_class: {} class names for a generator of {} classes",
                                            class_names.size(), classes));
  }
  if (per_class < 1) throw std::invalid_argument("generate_per_class: at least one image per class");
  std::vector<int> labels;
  for (int k = 0; k < classes; ++k) labels.insert(labels.end(), static_cast<std::size_t>(per_class), k);
  Generator latents(seed);
  Tensor images = generate_images(generator, net, point, labels, latents, /*truncation_free=*/false, 64, device);
  {
    // Below the final level (a run still growing), as the official snapshots: nearest upscaling.
    NoGrad no_grad;
    while (images.size(3) < net.resolution) images = upsample_nearest2x(images);
  }
  return images_to_dataset(images, labels, class_names, fmt::format("q{}n", seed));
}

GanTestPair gan_test_run(ProganTrainer& trainer, GlitchClassifier& judge, const std::vector<std::string>& judge_classes,
                         int per_class, int batch) {
  const ProganTrainConfig& c = trainer.config();
  const std::vector<std::string> classes =
      c.net.num_classes > 0 || c.class_names.size() == 1 ? c.class_names : std::vector<std::string>{};
  if (classes.empty()) throw std::invalid_argument("GAN-test: an unconditional model of several classes has no class to test");
  const std::uint64_t seed = derive_seed(c.seed, 77);
  auto test = [&](ProganGenerator& g) {
    const data::Dataset images = generate_per_class(g, c.net, trainer.next_point(), classes, per_class, seed, c.device);
    return gan_test(judge, judge_classes, images, batch, c.device);
  };
  return {test(trainer.ema_generator()), test(trainer.generator())};
}

GanTrainResult gan_train(const data::Dataset& generated, const data::Dataset& validation, const data::Dataset& test,
                         const ClassifierTrainOptions& options) {
  if (generated.class_names() != test.class_names() || validation.class_names() != test.class_names()) {
    throw std::invalid_argument("GAN-train: the generated, validation and test images must share one label space");
  }
  GanTrainResult out;
  out.trained = train_classifier(generated, validation, options);
  const Predictions predictions = predict(*out.trained.model, test, options.batch, options.device);
  out.test = evaluate_predictions(test.labels(), predictions.predicted, test.num_classes());
  return out;
}

SwdResult swd_between(const ByteImages& a, const ByteImages& b, std::uint64_t seed) {
  SwdOptions swd;
  swd.min_resolution = std::min(swd.min_resolution, a.height);
  Generator pick(seed + 1), dirs(seed + 2);
  const SwdDescriptors da = swd_descriptors(a, swd, pick);
  const SwdDescriptors db = swd_descriptors(b, swd, pick);
  return sliced_wasserstein(da, db, swd, dirs);
}

std::optional<SwdPair> swd_run(ProganTrainer& trainer, const data::Dataset& reals, int max_per_half, int batch) {
  const ProganTrainConfig& c = trainer.config();
  const SchedulePoint point = trainer.next_point();
  if (point.resolution < SwdOptions{}.nhood_size || reals.size() < 2 || max_per_half < 1) return std::nullopt;
  Generator gen(derive_seed(c.seed, 78));
  const std::vector<std::size_t> order = data::random_permutation(reals.size(), gen);
  const auto half = static_cast<std::ptrdiff_t>(std::min(reals.size() / 2, static_cast<std::size_t>(max_per_half)));
  const std::vector<std::size_t> a(order.begin(), order.begin() + half), b(order.begin() + half, order.begin() + 2 * half);
  const ByteImages real_a = to_byte_images(process_reals(reals.images(a), point.level, point.alpha));
  const ByteImages real_b = to_byte_images(process_reals(reals.images(b), point.level, point.alpha));
  std::vector<int> labels;
  for (std::size_t i : a) labels.push_back(c.net.num_classes > 0 ? reals.label(i) : 0);
  const std::uint64_t seed = derive_seed(c.seed, 79);
  auto distance = [&](ProganGenerator& g) {
    Generator latents(seed);  // the same latents for both generators
    const Tensor fakes = generate_images(g, c.net, point, labels, latents, /*truncation_free=*/true, batch, c.device);
    return swd_between(to_byte_images(fakes), real_b, seed).mean;
  };
  return SwdPair{.ema = distance(trainer.ema_generator()), .raw = distance(trainer.generator()),
                 .real_floor = swd_between(real_a, real_b, seed).mean};
}

}  // namespace gg::nets

// `glitchgan eval-gan`: a checkpoint's generators (the EMA Gs and the trained G) against a Gravity
// Spy folder: the ProGAN paper's sliced Wasserstein distance per Laplacian-pyramid level (x 1e3;
// lower = closer to the data) beside the real-vs-real floor, the MS-SSIM of pairs of generated
// images (lower = more diverse) beside that of real pairs, given a classifier trained on real
// images (--judge), GAN-test: how often it recognises the class each image was generated for, and
// with --gan-train-per-class, GAN-train: a classifier trained on generated images only, tested on
// the folder's real test split.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "data/samplers.h"
#include "engine/posix_file.h"
#include "nets/classifier_checkpoint.h"
#include "nets/gan_quality.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_metrics.h"
#include "nets/progan_sampling.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct EvalFlags {
  std::filesystem::path checkpoint, data, cache, judge, json;
  int count = 1024;
  int per_class = 50;
  std::uint64_t seed = 1;
  std::string device = "cpu";
  int batch = 64;
  int gan_train_per_class = 0;  // 0: no GAN-train
  int gan_train_epochs = 20;
};

// GAN-train of one generator: `per_class` images of each class, a classifier of the default
// architecture trained on them (best epoch by the real validation split), tested on the real test split.
nets::ClassificationReport gan_train_of(const nets::TrainedGenerator& t, const data::Dataset& validation,
                                        const data::Dataset& test, const EvalFlags& f, Device device) {
  const nets::ProganTrainConfig& c = t.config;
  const data::Dataset images =
      nets::generate_per_class(*t.generator, c.net, t.point, c.class_names, f.gan_train_per_class, f.seed + 5, device);
  nets::ClassifierTrainOptions o;
  o.net.channels = c.net.channels;
  o.net.resolution = c.net.resolution;
  o.net.num_classes = static_cast<int>(c.class_names.size());
  o.epochs = f.gan_train_epochs;
  o.seed = f.seed;
  o.device = device;
  o.on_epoch = [&](const nets::EpochReport& e) {
    fmt::print("            GAN-train epoch {:>2}/{}  val acc {:5.1f}%  {:.1f} s\n", e.epoch, o.epochs,
               100 * e.validation_accuracy, e.seconds);
  };
  return nets::gan_train(images, validation, test, o).test;
}

void eval_gan(const EvalFlags& f) {
  const Device device = checked_device(f.device);
  std::unique_ptr<nets::LoadedClassifier> judge;
  if (!f.judge.empty()) judge = std::make_unique<nets::LoadedClassifier>(nets::load_classifier(f.judge, device));
  const nets::TrainedGenerator gs = nets::load_trained_generator(f.checkpoint, device, nets::GanWeights::ema);
  const nets::TrainedGenerator g = nets::load_trained_generator(f.checkpoint, device, nets::GanWeights::raw);
  const nets::ProganTrainConfig& c = gs.config;
  if (judge && (judge->meta.config.resolution != c.net.resolution || judge->meta.config.channels != c.net.channels)) {
    throw std::invalid_argument(fmt::format("--judge {}: the classifier takes {}x{}x{} images but the generator makes {}x{}x{}",
                                            f.judge.string(), judge->meta.config.channels, judge->meta.config.resolution,
                                            judge->meta.config.resolution, c.net.channels, c.net.resolution,
                                            c.net.resolution));
  }
  const data::Dataset reals = load_gan_data(f.data, c, c.class_names, f.cache);

  // `count` reals at random (all when fewer), and as many fakes, conditioned on the reals' classes;
  // a second, disjoint draw of reals (when there are enough) gives the real-vs-real floor.
  Generator gen(f.seed);
  const std::vector<std::size_t> order = data::random_permutation(reals.size(), gen);
  const std::size_t n = std::min(order.size(), static_cast<std::size_t>(f.count));
  const std::vector<std::size_t> first(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
  const nets::ByteImages real_bytes = nets::to_byte_images(nets::process_reals(reals.images(first), gs.point.level, gs.point.alpha));
  std::vector<int> labels;
  for (std::size_t i : first) labels.push_back(reals.label(i));
  const int resolution = gs.point.resolution;
  // GAN-train's real splits: the folder's validation and test folders (else the classifiers' seeded split).
  const data::Dataset validation = f.gan_train_per_class > 0 ? choose_split(reals, "validation", f.seed) : data::Dataset();
  const data::Dataset test = f.gan_train_per_class > 0 ? choose_split(reals, "test", f.seed) : data::Dataset();

  nlohmann::json out = {{"checkpoint", f.checkpoint.string()}, {"kimg", gs.state.kimg()}, {"resolution", resolution},
                        {"images", n}};
  fmt::print("eval-gan: {} (kimg {:.1f}) at {}x{}, {} real and {} generated images per generator\n", f.checkpoint.string(),
             gs.state.kimg(), resolution, resolution, n, n);
  if (order.size() >= 2 * n) {
    const std::vector<std::size_t> second(order.begin() + static_cast<std::ptrdiff_t>(n),
                                          order.begin() + static_cast<std::ptrdiff_t>(2 * n));
    const nets::ByteImages other = nets::to_byte_images(nets::process_reals(reals.images(second), gs.point.level, gs.point.alpha));
    const nets::SwdResult floor = nets::swd_between(real_bytes, other, f.seed);
    fmt::print("  real vs real      SWD x1e3 {}  mean {:.2f}\n", fmt::join(floor.distances, " "), floor.mean);
    out["swd_real_floor"] = floor.distances;
  } else {
    fmt::print("  real vs real      (needs {} real images for a disjoint second draw)\n", 2 * n);
  }
  for (const nets::TrainedGenerator* t : {&gs, &g}) {
    const std::string name = t == &gs ? "ema" : "raw";
    Generator latents(f.seed + 3);  // the same latents for both generators
    const Tensor fakes = nets::generate_images(*t->generator, c.net, t->point, labels, latents, /*truncation_free=*/true,
                                               f.batch, device);
    const nets::ByteImages fake_bytes = nets::to_byte_images(fakes);
    const nets::SwdResult swd = nets::swd_between(real_bytes, fake_bytes, f.seed);
    fmt::print("  {} ({:<2}) vs real   SWD x1e3 {:.2f} at {} px; mean {:.2f}\n", name, t == &gs ? "Gs" : "G",
               fmt::join(swd.distances, " "), fmt::join(swd.resolutions, "/"), swd.mean);
    out[name] = {{"swd_resolutions", swd.resolutions}, {"swd", swd.distances}, {"swd_mean", swd.mean}};
    if (resolution >= 16 && n >= 2) {
      const double generated = nets::ms_ssim_of_pairs(fake_bytes), real = nets::ms_ssim_of_pairs(real_bytes);
      fmt::print("            MS-SSIM generated pairs {:.4f}   real pairs {:.4f}   (lower = more diverse)\n", generated, real);
      out[name]["ms_ssim"] = generated;
      out["ms_ssim_real"] = real;
    }
    if (judge) {
      const data::Dataset images = nets::generate_per_class(*t->generator, c.net, t->point, c.class_names, f.per_class,
                                                            f.seed + 4, device);
      const nets::GanTestResult r = nets::gan_test(*judge->model, judge->meta.class_names, images, f.batch, device);
      std::string per_class;
      for (std::size_t k = 0; k < r.per_class.size(); ++k)
        per_class += fmt::format("{}{} {:.0f}%", k ? ", " : "", c.class_names[k], 100 * r.per_class[k]);
      fmt::print("            GAN-test {:.1f}% of {} images ({})\n", 100 * r.accuracy, r.images, per_class);
      out[name]["gan_test_accuracy"] = r.accuracy;
      out[name]["gan_test_per_class"] = r.per_class;
    }
    if (f.gan_train_per_class > 0) {
      const nets::ClassificationReport r = gan_train_of(*t, validation, test, f, device);
      fmt::print("            GAN-train {:.1f}% (macro-F1 {:.3f}) on {} real test images, from {} generated per class\n",
                 100 * r.accuracy, r.macro_f1, test.size(), f.gan_train_per_class);
      out[name]["gan_train_accuracy"] = r.accuracy;
      out[name]["gan_train_macro_f1"] = r.macro_f1;
    }
  }
  if (!judge) fmt::print("  GAN-test: give --judge, a classifier checkpoint trained on real images (train-classifier)\n");
  if (!f.json.empty()) write_text_file_atomic(f.json, out.dump(2) + "\n");
}

}  // namespace

void add_eval_gan_command(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval-gan", "SWD (per Laplacian level), MS-SSIM diversity and GAN-test of a trained "
                                                 "ProGAN's G and Gs");
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.safetensors of a train-gan run")->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", f->data, "Gravity Spy folder with the real images")->required();
  cmd->add_option("--judge", f->judge, "classifier checkpoint trained on real images (train-classifier's best.safetensors): "
                                       "GAN-test")->check(CLI::ExistingFile);
  cmd->add_option("--per-class", f->per_class, "generated images per class for GAN-test")
      ->check(positive())->capture_default_str();
  cmd->add_option("--gan-train-per-class", f->gan_train_per_class,
                  "GAN-train: train a classifier on this many generated images per class and test it on the real "
                  "test split (0: off)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--gan-train-epochs", f->gan_train_epochs, "epochs of GAN-train's classifier")
      ->check(positive())->capture_default_str();
  cmd->add_option("--count", f->count, "real and generated images to compare (the paper used 8192)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--json", f->json, "also write the numbers to this JSON file");
  cmd->add_option("--seed", f->seed, "seed of the image choice, latents and projections")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per generator call")->check(positive())->capture_default_str();
  cmd->add_option("--cache", f->cache, "folder for the decoded-data cache (default: none)");
  cmd->callback([f] { eval_gan(*f); });
}

}  // namespace gg::tools

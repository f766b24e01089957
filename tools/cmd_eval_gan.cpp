// `glitchgan eval-gan`: the ProGAN paper's metrics for a checkpoint against a Gravity Spy folder:
// sliced Wasserstein distance per Laplacian-pyramid level (x 1e3; lower = closer to the data) and
// the MS-SSIM of pairs of generated images (lower = more diverse), beside that of real pairs.
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "data/samplers.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_metrics.h"
#include "nets/progan_sampling.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct EvalFlags {
  std::filesystem::path checkpoint, data, cache;
  int count = 1024;
  std::uint64_t seed = 1;
  std::string device = "cpu";
  int batch = 64;
};

void eval_gan(const EvalFlags& f) {
  const Device device = checked_device(f.device);
  const nets::TrainedGenerator g = nets::load_trained_generator(f.checkpoint, device);
  const nets::ProganTrainConfig& c = g.config;
  const data::Dataset reals = load_gan_data(f.data, c, c.class_names, f.cache);

  // `count` reals at random (all when fewer), and as many fakes, conditioned on the reals' classes.
  Generator gen(f.seed);
  std::vector<std::size_t> order = data::random_permutation(reals.size(), gen);
  order.resize(std::min(order.size(), static_cast<std::size_t>(f.count)));
  const int n = static_cast<int>(order.size());
  const Tensor real_images = nets::process_reals(reals.images(order), g.point.level, g.point.alpha);
  std::vector<int> labels;
  for (std::size_t i : order) labels.push_back(reals.label(i));
  const Tensor fakes = nets::generate_images(*g.generator, c.net, g.point, labels, gen, /*truncation_free=*/true, f.batch, device);
  const nets::ByteImages real_bytes = nets::to_byte_images(real_images), fake_bytes = nets::to_byte_images(fakes);

  fmt::print("eval-gan: {} (kimg {:.1f}) at {}x{}, {} real and {} generated images\n", f.checkpoint.string(),
             g.state.kimg(), g.point.resolution, g.point.resolution, n, n);
  nets::SwdOptions swd;
  swd.min_resolution = std::min(swd.min_resolution, g.point.resolution);
  Generator pick(f.seed + 1), dirs(f.seed + 2);
  const nets::SwdDescriptors real_desc = nets::swd_descriptors(real_bytes, swd, pick);
  const nets::SwdDescriptors fake_desc = nets::swd_descriptors(fake_bytes, swd, pick);
  const nets::SwdResult result = nets::sliced_wasserstein(real_desc, fake_desc, swd, dirs);
  for (std::size_t i = 0; i < result.resolutions.size(); ++i)
    fmt::print("  SWD x1e3 {:>4}px  {:8.2f}\n", result.resolutions[i], result.distances[i]);
  fmt::print("  SWD x1e3 mean    {:8.2f}\n", result.mean);
  if (g.point.resolution >= 16 && n >= 2) {
    fmt::print("  MS-SSIM generated pairs {:.4f}   real pairs {:.4f}   (lower = more diverse)\n",
               nets::ms_ssim_of_pairs(fake_bytes), nets::ms_ssim_of_pairs(real_bytes));
  } else {
    fmt::print("  MS-SSIM needs at least two images of 16x16 or more\n");
  }
}

}  // namespace

void add_eval_gan_command(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval-gan", "SWD (per Laplacian level) and MS-SSIM diversity of a trained ProGAN");
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.safetensors of a train-gan run")->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", f->data, "Gravity Spy folder with the real images")->required();
  cmd->add_option("--count", f->count, "real and generated images to compare (the paper used 8192)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed of the image choice, latents and projections")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per generator call")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--cache", f->cache, "folder for the decoded-data cache (default: none)");
  cmd->callback([f] { eval_gan(*f); });
}

}  // namespace gg::tools

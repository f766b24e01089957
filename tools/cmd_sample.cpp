// `glitchgan sample`: draws images from a trained ProGAN (its EMA generator Gs, or G with
// --weights raw) and writes them in
// the Gravity Spy layout, <out>/<Class>/GAN_<id>_spectrogram_<window>.png, plus <out>/grid.png.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "data/gravityspy_layout.h"
#include "data/png_io.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_images.h"
#include "nets/progan_sampling.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct SampleFlags {
  std::filesystem::path checkpoint, out;
  int count = 64;
  std::string class_name;
  std::uint64_t seed = 1;
  bool truncation_free = false;
  std::string device = "cpu";
  int batch = 64;
  std::string weights = "ema";
};

constexpr int kGridImages = 64;

// The class of sample i: the one asked for, or all classes in turn.
std::vector<int> sample_classes(const nets::ProganTrainConfig& c, const SampleFlags& f) {
  const auto& names = c.class_names;
  int fixed = -1;
  if (!f.class_name.empty()) {
    const auto it = std::find(names.begin(), names.end(), f.class_name);
    const bool usable = it != names.end() && (c.net.num_classes > 0 || names.size() == 1);
    if (!usable) {
      throw std::invalid_argument(fmt::format("--class {}: {} generates {}", f.class_name, f.checkpoint.string(),
                                              c.net.num_classes > 0 ? fmt::format("the classes {}", fmt::join(names, ", "))
                                              : names.size() == 1 ? "class " + names[0]
                                                                  : std::string("no particular class (unconditional)")));
    }
    fixed = static_cast<int>(it - names.begin());
  }
  std::vector<int> out;
  for (int i = 0; i < f.count; ++i) out.push_back(fixed >= 0 ? fixed : c.net.num_classes > 0 ? i % c.net.num_classes : 0);
  return out;
}

void sample(const SampleFlags& f) {
  const Device device = checked_device(f.device);
  const nets::TrainedGenerator g = nets::load_trained_generator(f.checkpoint, device, nets::parse_gan_weights(f.weights));
  const nets::ProganTrainConfig& c = g.config;
  const std::vector<int> classes = sample_classes(c, f);
  // An unconditional model of several classes has no class to file its images under.
  auto folder = [&](int k) { return c.net.num_classes > 0 || c.class_names.size() == 1 ? c.class_names[k] : std::string("Generated"); };

  Generator gen(f.seed);
  std::vector<Tensor> grid_parts;
  int grid_count = 0;
  for (int start = 0; start < f.count; start += f.batch) {
    const int n = std::min(f.batch, f.count - start);
    const std::vector<int> batch_classes(classes.begin() + start, classes.begin() + start + n);
    const Tensor images =
        nets::generate_images(*g.generator, c.net, g.point, batch_classes, gen, f.truncation_free, f.batch, device);
    const std::vector<data::Image> pictures = nets::to_pictures(images);
    for (int i = 0; i < n; ++i) {
      const std::string id = fmt::format("s{}n{:06}", f.seed, start + i);
      const std::filesystem::path dir = f.out / folder(batch_classes[static_cast<std::size_t>(i)]);
      std::filesystem::create_directories(dir);
      data::write_png(dir / data::spectrogram_name("GAN", id, data::window_index(std::stod(c.window))),
                      pictures[static_cast<std::size_t>(i)]);
    }
    if (grid_count < kGridImages) {
      const int take = std::min(n, kGridImages - grid_count);
      grid_parts.push_back(slice(images, 0, 0, take));
      grid_count += take;
    }
  }
  data::write_png(f.out / "grid.png", nets::picture_grid(concat(grid_parts, 0), 8, g.point.resolution));
  fmt::print("sample: wrote {} {}x{} images ({}) from {} of {} (kimg {:.1f}) to {}\n", f.count, g.point.resolution,
             g.point.resolution, f.truncation_free ? "truncation-free" : fmt::format("truncated at {}", nets::kTruncation),
             f.weights == "ema" ? "Gs" : "G", f.checkpoint.string(), g.state.kimg(), f.out.string());
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto f = std::make_shared<SampleFlags>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate images from a trained ProGAN into the Gravity Spy layout");
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.safetensors of a train-gan run")->required()->check(CLI::ExistingFile);
  cmd->add_option("--count", f->count, "images to generate")->required()->check(positive());
  cmd->add_option("--out", f->out, "output folder")->required();
  cmd->add_option("--class", f->class_name, "class to generate (conditional models; default: every class in turn)");
  cmd->add_option("--seed", f->seed, "seed of the latents")->capture_default_str();
  cmd->add_flag("--truncation-free", f->truncation_free,
                "draw latents from the full N(0, I) the model was trained on (default: redraw components beyond +-2)");
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per generator call")->check(positive())->capture_default_str();
  cmd->add_option("--weights", f->weights, "ema: the moving average of the weights (Gs); raw: the trained generator G")
      ->check(CLI::IsMember({"ema", "raw"}))->capture_default_str();
  cmd->callback([f] { sample(*f); });
}

}  // namespace gg::tools

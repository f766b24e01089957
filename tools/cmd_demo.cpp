// `glitchgan demo`: the engine demo. Trains a tiny CNN on generated bar images and prints the
// loss falling and the accuracy rising, epoch by epoch.
#include <fmt/core.h>

#include "nets/toy_training.h"
#include "tools/commands.h"

namespace gg::tools {

void add_demo_command(CLI::App& app) {
  auto config = std::make_shared<nets::ToyRunConfig>();
  CLI::App* cmd = app.add_subcommand("demo", "Train a tiny CNN on generated images (engine demo, CPU)");
  cmd->add_option("--epochs", config->epochs, "training epochs")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--train", config->train_count, "training images")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--test", config->test_count, "test images")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--size", config->image_size, "image side in pixels (multiple of 4)")->check(CLI::Range(8, 256))->capture_default_str();
  cmd->add_option("--batch", config->batch, "batch size")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--lr", config->lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", config->seed, "seed of every random stream")->capture_default_str();
  cmd->callback([config] {
    fmt::print("glitchgan demo: TinyCnn on {} noisy {}x{} bar images (4 classes), {} test images\n", config->train_count,
               config->image_size, config->image_size, config->test_count);
    const nets::ToyRunResult result = nets::train_toy_classifier(*config, [&](const nets::ToyEpochReport& e) {
      const double rate = config->train_count / e.seconds;
      const double eta = e.seconds * (config->epochs - e.epoch);
      fmt::print("epoch {:>3}/{}  loss {:.4f}  test accuracy {:6.2f}%  {:7.0f} img/s  ETA {:.1f} s\n", e.epoch,
                 config->epochs, e.train_loss, 100 * e.test_accuracy, rate, eta);
      std::fflush(stdout);
    });
    fmt::print("done: {} parameters, final test accuracy {:.2f}%\n", result.parameters,
               100 * result.epochs.back().test_accuracy);
  });
}

}  // namespace gg::tools

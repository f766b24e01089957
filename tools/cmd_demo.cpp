// `glitchgan demo`: the main job. Synthesizes a small imbalanced glitch training set with balanced
// validation and test splits (or takes --data),
// trains a conditional ProGAN on it, generates images, trains the classifier with and without
// them, prints the comparison and writes <out>/report.html.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <memory>

#include "study/demo.h"
#include "study/study_report.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"
#include "tools/study_cli.h"

namespace gg::tools {

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<study::DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "The main job: synthesize a small imbalanced glitch set, train a ProGAN on it, and compare classifiers "
              "trained with and without its images (HTML report)");
  cmd->add_option("--out", options->out, "run folder (data/, gan/, generated/, classifier-*/, report.html)")->capture_default_str();
  cmd->add_option("--data", options->data, "a Gravity Spy folder to use instead of synthesized data")->check(CLI::ExistingDirectory);
  cmd->add_option("--classes", options->classes, "classes to synthesize")->delimiter(',')->capture_default_str()->group("Synthetic data");
  cmd->add_option("--per-class", options->per_class, "training glitches of the first (most common) class")
      ->check(positive())->capture_default_str()->group("Synthetic data");
  cmd->add_option("--imbalance", options->imbalance, "class counts fall geometrically from N to N/R")
      ->check(in_range(1.0, 1e6))->capture_default_str()->group("Synthetic data");
  cmd->add_option("--validation-per-class", options->validation_per_class,
                  "glitches per class of the balanced validation split (own seed stream; 0 with --test-per-class 0: "
                  "one set split 60/20/20)")
      ->check(non_negative())->capture_default_str()->group("Synthetic data");
  cmd->add_option("--test-per-class", options->test_per_class, "glitches per class of the balanced test split (own seed stream)")
      ->check(non_negative())->capture_default_str()->group("Synthetic data");
  add_study_flags(cmd, options->settings);
  cmd->callback([options] {
    checked_device(options->settings.device);
    print_line(fmt::format("glitchgan demo: {} -> {}", options->data.empty() ? std::string("synthetic data") : options->data.string(),
                           options->out.string()));
    const study::DemoResult result = study::run_demo(*options, print_line);
    fmt::print("\n{}\n", study::comparison_text(result.study));
    fmt::print("done in {:.0f} s; report: {}\n", result.seconds, result.report.string());
  });
}

}  // namespace gg::tools

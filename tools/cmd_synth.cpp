// `glitchgan synth`: writes a synthetic Gravity-Spy-like data set (spectrogram PNGs in the real
// set's layout), the default data set when the real one cannot be downloaded; optionally with
// balanced validation and test splits beside the imbalanced training split.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>

#include "data/synth/glitch_models.h"
#include "data/synth/qtransform.h"
#include "data/synth/synth_dataset.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"

namespace gg::tools {

void add_synth_command(CLI::App& app) {
  auto options = std::make_shared<data::synth::SynthDatasetOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Write synthetic Gravity Spy spectrograms (<out>/<Class>/<ifo>_<id>_spectrogram_<s>.png, or with "
               "--validation-per-class and --test-per-class <out>/<train|validation|test>/<Class>/...)");
  cmd->add_option("--out", options->out, "output folder")->required();
  cmd->add_option("--per-class", options->per_class,
                  "glitches of the first (most common) class (of the training split, with held-out splits)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--classes", options->classes, "comma-separated classes (default: all 22)")->delimiter(',');
  cmd->add_option("--imbalance", options->imbalance, "class counts fall geometrically from N to N/R")
      ->check(in_range(1.0, 1e6))->capture_default_str();
  cmd->add_option("--validation-per-class", options->validation_per_class,
                  "glitches per class of a balanced validation split (own seed stream); 0 with --test-per-class 0: "
                  "no split folders")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--test-per-class", options->test_per_class,
                  "glitches per class of a balanced test split (own seed stream); the imbalanced set above becomes "
                  "<out>/train")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--seed", options->seed, "seed of every random stream")->capture_default_str();
  cmd->add_option("--durations", options->windows, "comma-separated time windows in seconds (0.5,1.0,2.0,4.0)")
      ->delimiter(',')->capture_default_str();
  auto energy_norm = std::make_shared<std::string>("median");
  cmd->add_option("--energy-norm", *energy_norm,
                  "what each frequency row's tile energy is divided by: median (the background averages 1.44), mean "
                  "(1, but long loud lines dim themselves) or robust-mean (median / ln 2: 1, as Omega scans)")
      ->check(one_of(data::synth::kEnergyNormNames))->capture_default_str();
  auto models = std::make_shared<std::string>("v1");
  cmd->add_option("--models", *models,
                  "version of the class models: v1 (every study number in the README), v2 or v3 (each re-fits more "
                  "classes to real scans with synth-check; see data/README.md)")
      ->check(one_of(data::synth::kModelSetNames))->capture_default_str();
  cmd->add_option("--png-level", options->png_compression, "zlib compression level of the PNGs")
      ->check(in_range(0, 9))->capture_default_str();
  cmd->callback([options, energy_norm, models] {
    options->scan.q.norm = data::synth::energy_norm_from_name(*energy_norm);
    options->scan.models = data::synth::model_set_from_name(*models);
    double last_print = -1;
    const auto summary = data::synth::write_synth_dataset(*options, [&](const data::synth::SynthProgress& p) {
      if (p.done != p.total && p.seconds - last_print < 1.0) return;
      last_print = p.seconds;
      const double rate = p.done / p.seconds;
      fmt::print("synth: {:>6}/{} glitches  {:6.1f} glitches/s  ETA {:.0f} s\n", p.done, p.total, rate,
                 (p.total - p.done) / rate);
      std::fflush(stdout);
    });
    fmt::print("synth: wrote {} images of {} classes to {} in {:.1f} s\n", summary.images, summary.classes.size(),
               options->out.string(), summary.seconds);
    const bool splits = summary.test_per_class > 0;
    if (splits) fmt::print("  {:<20} {:>5} {:>10} {:>5}\n", "glitches", "train", "validation", "test");
    for (std::size_t k = 0; k < summary.classes.size(); ++k) {
      if (splits) {
        fmt::print("  {:<20} {:>5} {:>10} {:>5}\n", summary.classes[k], summary.counts[k], summary.validation_per_class,
                   summary.test_per_class);
      } else {
        fmt::print("  {:<20} {}\n", summary.classes[k], summary.counts[k]);
      }
    }
  });
}

}  // namespace gg::tools

// `glitchgan experiment`: the augmentation study repeated over training-set sizes per class and
// seeds; mean +- std of accuracy and macro-F1 per method as CSV, markdown and PNG plots.
#include <fmt/core.h>

#include <memory>

#include "study/experiment.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"
#include "tools/study_cli.h"

namespace gg::tools {

namespace {

struct ExperimentFlags {
  std::filesystem::path data, out;
  std::vector<std::size_t> sizes{5, 10, 25, 50};
  int seeds = 5;
  study::StudySettings settings;
};

void experiment(const ExperimentFlags& f) {
  checked_device(f.settings.device);
  const study::StudyData data = study::load_study_data(f.data, f.settings, f.out / "data-cache");
  print_line(data.description);
  study::ExperimentOptions o;
  o.sizes = f.sizes;
  o.seeds = f.seeds;
  o.base_seed = f.settings.seed;
  o.study = f.settings.to_options(f.out, print_line);
  o.study.write_generated_pngs = false;  // dozens of studies: the images stay in memory
  o.out = f.out;
  const std::vector<study::ExperimentRun> runs = study::run_experiment(data.splits.train, data.splits.validation,
                                                                       data.splits.test, o);
  fmt::print("\n{}\n", study::summary_markdown(study::summarize(runs)));
  fmt::print("wrote {}/runs.csv, summary.csv, summary.md, accuracy.png, macro_f1.png\n", f.out.string());
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  auto f = std::make_shared<ExperimentFlags>();
  CLI::App* cmd = app.add_subcommand("experiment", "Repeat the augmentation study over training-set sizes and seeds "
                                                   "(mean +- std per method: CSV, markdown, plots)");
  cmd->add_option("--data", f->data, "Gravity Spy folder (train/validation/test folders are used when present)")
      ->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", f->out, "experiment folder")->required();
  cmd->add_option("--sizes", f->sizes, "real training images per class (comma-separated)")
      ->delimiter(',')->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seeds", f->seeds, "runs per size, seeds --seed, --seed + 1, ...")->check(CLI::PositiveNumber)->capture_default_str();
  add_study_flags(cmd, f->settings);
  cmd->callback([f] { experiment(*f); });
}

}  // namespace gg::tools

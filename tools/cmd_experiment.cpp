// `glitchgan experiment`: the augmentation study repeated over training-set sizes per class, seeds
// and real shares; per method mean +- std of accuracy and macro-F1 and the paired difference to
// `real` with 95% intervals, as CSV, JSON, markdown and PNG plots.
#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <memory>
#include <string>

#include "study/experiment.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"
#include "tools/job_cli.h"
#include "tools/progan_cli.h"
#include "tools/study_cli.h"

namespace gg::tools {

namespace {

struct ExperimentFlags {
  std::filesystem::path data, out;
  std::vector<std::size_t> sizes{5, 10, 25, 50};
  int seeds = 5;
  std::vector<double> real_shares{1.0};
  bool resume = false;
  study::StudySettings settings;
};

// Each --real-shares value must be a number in (0, 1]; checked while parsing, before any work.
std::string check_real_share(std::string& text) {
  double share = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), share);
  if (error != std::errc{} || end != text.data() + text.size()) return "not a number: " + text;
  return share > 0 && share <= 1 ? "" : "must be in (0, 1], got " + text;
}

void experiment(const ExperimentFlags& f, distributed::Job& job) {
  Communicator& communicator = *job.communicator;
  const bool root = communicator.is_root();
  const study::StudyData data = load_once_per_job<study::StudyData>(
      communicator, [&] { return study::load_study_data(f.data, f.settings, f.out / "data-cache"); });
  if (root) print_line(data.description);
  // Several ranks run studies side by side: each line says whose it is.
  const auto print = communicator.size() == 1
                         ? std::function<void(const std::string&)>(print_line)
                         : [prefix = fmt::format("[rank {}] ", communicator.rank())](const std::string& line) {
                             print_line(prefix + line);
                           };
  study::StudySettings settings = f.settings;
  settings.device = job.device.str();  // a GPU per rank
  study::ExperimentOptions o;
  o.sizes = f.sizes;
  o.seeds = f.seeds;
  o.base_seed = f.settings.seed;
  o.communicator = &communicator;
  o.study = settings.to_options(f.out, print);
  o.study.write_generated_pngs = false;  // dozens of studies: the images stay in memory
  o.study.real_shares = f.real_shares;
  o.out = f.out;
  o.resume = f.resume;
  const std::vector<study::ExperimentRun> runs = study::run_experiment(data.splits.train, data.splits.validation,
                                                                       data.splits.test, o);
  if (!root) return;
  fmt::print("\n{}\n", study::summary_markdown(study::summarize(runs)));
  const auto& methods = o.study.methods;
  const bool has_deltas = methods.size() > 1 && std::find(methods.begin(), methods.end(), study::Method::real) != methods.end();
  fmt::print("wrote {}/runs.csv, summary.csv, summary.json, summary.md, accuracy.png, macro_f1.png{}{}\n", f.out.string(),
             has_deltas ? ", delta_macro_f1.png" : "", f.real_shares.size() > 1 ? ", real_share.png" : "");
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  auto f = std::make_shared<ExperimentFlags>();
  CLI::App* cmd = app.add_subcommand("experiment", "Repeat the augmentation study over training-set sizes and seeds "
                                                   "(per method mean +- std and the paired difference to real "
                                                   "with 95% intervals: CSV, JSON, markdown, plots; under mpirun -np N the "
                                                   "studies are shared out over the ranks)");
  cmd->add_option("--data", f->data, "Gravity Spy folder (train/validation/test folders are used when present)")
      ->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", f->out, "experiment folder")->required();
  cmd->add_option("--sizes", f->sizes, "real training images per class (comma-separated)")
      ->delimiter(',')->check(positive())->capture_default_str();
  cmd->add_flag("--resume", f->resume,
                "run only the (size, seed) studies not yet in <out>/runs.csv, each going on from its GAN checkpoint "
                "when it has one (give the same GAN flags)");
  cmd->add_option("--seeds", f->seeds, "runs per size, seeds --seed, --seed + 1, ...")->check(positive())->capture_default_str();
  cmd->add_option("--real-shares", f->real_shares,
                  "shares of each class's real training images the classifiers train on, every method once per "
                  "share (seed 003's protocol; comma-separated, each in (0, 1])")
      ->delimiter(',')->check(CLI::Validator(check_real_share, "(0, 1]"))->capture_default_str();
  add_study_flags(cmd, f->settings);
  cmd->callback([f] { run_as_job(f->settings.device, [&](distributed::Job& job) { experiment(*f, job); }); });
}

}  // namespace gg::tools

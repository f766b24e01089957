// `glitchgan augment`: the study's pipeline on one data set: a conditional ProGAN on the training
// split, generated images to balance and enlarge it, then classifiers trained on real images only,
// on real + generated, and pre-trained on generated then fine-tuned on real; <out>/report.html.
#include <fmt/core.h>

#include <chrono>
#include <memory>

#include "study/augmentation_study.h"
#include "study/study_report.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"
#include "tools/study_cli.h"

namespace gg::tools {

namespace {

struct AugmentFlags {
  std::filesystem::path data, out;
  study::StudySettings settings;
};

void augment(const AugmentFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  checked_device(f.settings.device);
  const study::StudyData data = study::load_study_data(f.data, f.settings, f.out / "data-cache");
  print_line(data.description);
  const data::Splits& s = data.splits;
  const study::StudyResult result = study::run_study(s.train, s.validation, s.test, f.settings.to_options(f.out, print_line));
  study::ReportContext context;
  context.title = "glitchgan augmentation study";
  context.data_description = data.description;
  context.settings = f.settings.describe();
  context.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::filesystem::path report = study::write_study_report(result, s.train, s.validation, s.test, f.out, context);
  fmt::print("\n{}\n", study::comparison_text(result));
  fmt::print("done in {:.0f} s; report: {}\n", context.total_seconds, report.string());
}

}  // namespace

void add_augment_command(CLI::App& app) {
  auto f = std::make_shared<AugmentFlags>();
  CLI::App* cmd = app.add_subcommand("augment", "ProGAN augmentation study on one data set: GAN, generated images, "
                                                "classifiers with and without them (HTML report)");
  cmd->add_option("--data", f->data, "Gravity Spy folder (train/validation/test folders are used when present)")
      ->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", f->out, "run folder (gan/, generated/, classifier-*/, report.html)")->required();
  add_study_flags(cmd, f->settings);
  cmd->callback([f] { augment(*f); });
}

}  // namespace gg::tools

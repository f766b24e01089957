#include "study/demo.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "data/synth/synth_dataset.h"
#include "study/study_report.h"

namespace gg::study {

std::string demo_defaults_markdown() {
  const DemoOptions d;
  std::string t = "| setting | default |\n|---|---|\n";
  t += fmt::format("| data | synthesized: {} classes ({}), {} glitches of the first falling to 1/{} of that for the last; "
                   "split 60/20/20 by class |\n",
                   d.classes.size(), fmt::join(d.classes, ", "), d.per_class, d.imbalance);
  for (const auto& [name, value] : d.settings.describe()) t += fmt::format("| {} | {} |\n", name, value);
  return t;
}

DemoResult run_demo(const DemoOptions& options, const std::function<void(const std::string&)>& print) {
  const auto start = std::chrono::steady_clock::now();
  std::filesystem::path root = options.data;
  if (root.empty()) {
    root = options.out / "data";
    data::synth::SynthDatasetOptions synth;
    synth.out = root;
    synth.per_class = options.per_class;
    synth.classes = options.classes;
    synth.imbalance = options.imbalance;
    synth.seed = options.settings.seed;
    synth.windows = {std::stod(options.settings.window)};
    const data::synth::SynthSummary made = data::synth::write_synth_dataset(synth);
    print(fmt::format("synthesized {} spectrograms of {} classes in {:.1f} s into {}", made.images, made.classes.size(),
                      made.seconds, root.string()));
  }
  const StudyData data = load_study_data(root, options.settings, options.out / "data-cache");
  print(data.description);
  const data::Splits& splits = data.splits;
  DemoResult result;
  result.study = run_study(splits.train, splits.validation, splits.test, options.settings.to_options(options.out, print));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ReportContext context;
  context.title = "glitchgan demo: ProGAN augmentation of a small imbalanced glitch set";
  context.data_description =
      data.description +
      (options.data.empty() ? " The images were synthesized by glitchgan synth (physical glitch models, Q-transform)." : "");
  context.settings = options.settings.describe();
  context.total_seconds = result.seconds;
  result.report = write_study_report(result.study, splits.train, splits.validation, splits.test, options.out, context);
  return result;
}

}  // namespace gg::study

#include "study/demo.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "data/synth/synth_dataset.h"
#include "study/study_report.h"

namespace gg::study {

namespace {

// The synthetic data set in one table cell.
std::string synthetic_data_description(const DemoOptions& d) {
  const auto counts = data::synth::imbalanced_counts(d.per_class, d.classes.size(), d.imbalance);
  const std::string imbalanced = fmt::format("{} glitches of the first class falling geometrically to {} for the last",
                                             counts.front(), counts.back());
  const std::string classes = fmt::format("synthesized: {} classes ({})", d.classes.size(), fmt::join(d.classes, ", "));
  if (d.test_per_class == 0) return fmt::format("{}, {}; split 60/20/20 by class", classes, imbalanced);
  return fmt::format("{}; training split {}; balanced validation and test splits of {} and {} per class, each from its "
                     "own seed stream",
                     classes, imbalanced, d.validation_per_class, d.test_per_class);
}

data::synth::SynthDatasetOptions synth_options(const DemoOptions& options) {
  data::synth::SynthDatasetOptions synth;
  synth.out = options.out / "data";
  synth.per_class = options.per_class;
  synth.classes = options.classes;
  synth.imbalance = options.imbalance;
  synth.validation_per_class = options.validation_per_class;
  synth.test_per_class = options.test_per_class;
  synth.seed = options.settings.seed;
  synth.windows = {std::stod(options.settings.window)};
  synth.png_compression = 1;  // the demo's PNGs are read once; level 1 writes fastest
  return synth;
}

}  // namespace

std::string demo_defaults_markdown() {
  const DemoOptions d;
  std::string t = "| setting | default |\n|---|---|\n";
  t += fmt::format("| data | {} |\n", synthetic_data_description(d));
  for (const auto& [name, value] : d.settings.describe()) t += fmt::format("| {} | {} |\n", name, value);
  return t;
}

DemoResult run_demo(const DemoOptions& options, const std::function<void(const std::string&)>& print) {
  const auto start = std::chrono::steady_clock::now();
  // Every setting is checked before minutes of work.
  const StudyOptions study_options = options.settings.to_options(options.out, print);
  std::filesystem::path root = options.data;
  if (root.empty()) {
    const data::synth::SynthDatasetOptions synth = synth_options(options);
    data::synth::check_synth_options(synth);
    root = synth.out;
    // The folder is the demo's own: files of an earlier run with larger counts must not join this one.
    std::filesystem::remove_all(root);
    const data::synth::SynthSummary made = data::synth::write_synth_dataset(synth);
    print(fmt::format("synthesized {} spectrograms of {} classes in {:.1f} s into {}", made.images, made.classes.size(),
                      made.seconds, root.string()));
  }
  const StudyData data = load_study_data(root, options.settings, options.out / "data-cache");
  print(data.description);
  const data::Splits& splits = data.splits;
  DemoResult result;
  result.study = run_study(splits.train, splits.validation, splits.test, study_options);
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

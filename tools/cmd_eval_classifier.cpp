// `glitchgan eval-classifier`: a trained classifier on a split of a Gravity Spy folder: accuracy,
// macro-F1, per-class precision and recall, the most confused pairs, and confusion.csv,
// per_class.csv and confusion.png (rows: true class, columns: predicted; coloured by row share).
#include <fmt/format.h>

#include <memory>

#include "data/png_io.h"
#include "nets/classifier_trainer.h"
#include "report/heat_map.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct EvalClassifierFlags {
  std::filesystem::path checkpoint, data, out, cache;
  std::string split = "test", device = "cpu";
  int batch = 64, pairs = 10;
};

void eval_classifier(const EvalClassifierFlags& f) {
  const Device device = checked_device(f.device);
  const nets::LoadedClassifier c = nets::load_classifier(f.checkpoint, device);
  const std::filesystem::path run = f.checkpoint.parent_path();
  const std::filesystem::path out = f.out.empty() ? run / ("eval-" + f.split) : f.out;
  const std::filesystem::path cache = f.cache.empty() ? run / "data-cache" : f.cache;
  const data::Dataset all = load_for_checkpoint(f.data, c.meta, f.checkpoint, cache);
  const data::Dataset part = choose_split(all, f.split, c.meta.seed);
  if (part.empty()) throw std::invalid_argument("--split " + f.split + ": no images of " + f.data.string() + " fall in it");
  fmt::print("eval-classifier: {} on {} images ({} split)\n", f.checkpoint.string(), part.size(), f.split);

  const nets::Predictions p = nets::predict(*c.model, part, f.batch, device);
  const nets::ClassificationReport r = nets::evaluate_predictions(part.labels(), p.predicted, part.num_classes());
  fmt::print("{}", report_text(r, c.meta.class_names, f.pairs));

  std::filesystem::create_directories(out);
  nets::write_confusion_csv(out / "confusion.csv", r, c.meta.class_names);
  nets::write_per_class_csv(out / "per_class.csv", r, c.meta.class_names);
  std::vector<std::vector<double>> counts;
  for (const auto& row : r.confusion) counts.emplace_back(row.begin(), row.end());
  const std::string title = fmt::format("{} split: accuracy {:.1f}%, macro-F1 {:.3f}", f.split, 100 * r.accuracy, r.macro_f1);
  data::write_png(out / "confusion.png", report::heat_map(counts, c.meta.class_names, c.meta.class_names, title));
  fmt::print("\nwrote {}, {} and {}\n", (out / "confusion.csv").string(), (out / "per_class.csv").string(),
             (out / "confusion.png").string());
}

}  // namespace

void add_eval_classifier_command(CLI::App& app) {
  auto f = std::make_shared<EvalClassifierFlags>();
  CLI::App* cmd = app.add_subcommand("eval-classifier", "Evaluate a trained classifier: accuracy, macro-F1, per-class scores, "
                                                        "confusion matrix (CSV and PNG)");
  cmd->add_option("--checkpoint", f->checkpoint, "classifier checkpoint (best.safetensors of a train-classifier run)")->required();
  cmd->add_option("--data", f->data, "Gravity Spy folder, loaded as the classifier was trained")->required();
  cmd->add_option("--split", f->split, "test, validation, train (the split folders, else the training run's seeded split) or all")
      ->check(one_of(kSplitChoices))->capture_default_str();
  cmd->add_option("--out", f->out, "folder for confusion.csv, per_class.csv, confusion.png (default: <checkpoint folder>/eval-<split>)");
  cmd->add_option("--cache", f->cache, "decoded-image cache folder (default: <checkpoint folder>/data-cache)");
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per forward pass")->check(positive())->capture_default_str();
  cmd->add_option("--pairs", f->pairs, "most confused pairs to print")->check(non_negative())->capture_default_str();
  cmd->callback([f] { eval_classifier(*f); });
}

}  // namespace gg::tools

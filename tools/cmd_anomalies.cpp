// `glitchgan anomalies`: the samples whose label a trained classifier confidently contradicts
// (candidate label errors, or classes that overlap), ranked by the predicted class's probability,
// as anomalies.csv and a contact sheet anomalies.png with label and prediction under each image.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "data/gravityspy_layout.h"
#include "data/image_grid.h"
#include "data/png_io.h"
#include "engine/posix_file.h"
#include "nets/classifier_trainer.h"
#include "report/labelled_sheet.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct AnomaliesFlags {
  std::filesystem::path checkpoint, data, out, cache;
  double min_confidence = 0.9;
  int top = 50, columns = 8, batch = 64;
  std::string split = "all", device = "cpu";
};

struct Anomaly {
  std::size_t index;
  int label, predicted;
  float confidence, label_probability;
};

void anomalies(const AnomaliesFlags& f) {
  const Device device = checked_device(f.device);
  const nets::LoadedClassifier c = nets::load_classifier(f.checkpoint, device);
  const std::filesystem::path run = f.checkpoint.parent_path();
  const std::filesystem::path out = f.out.empty() ? run / "anomalies" : f.out;
  const data::Dataset all = load_for_checkpoint(f.data, c.meta, f.checkpoint, f.cache.empty() ? run / "data-cache" : f.cache);
  const data::Dataset part = choose_split(all, f.split, c.meta.seed);
  const nets::Predictions p = nets::predict(*c.model, part, f.batch, device);

  std::vector<Anomaly> found;
  for (std::size_t i = 0; i < part.size(); ++i) {
    const int label = part.label(i), predicted = p.predicted[i];
    const float confidence = p.probabilities[i][static_cast<std::size_t>(predicted)];
    if (predicted != label && confidence >= f.min_confidence) {
      found.push_back({i, label, predicted, confidence, p.probabilities[i][static_cast<std::size_t>(label)]});
    }
  }
  // Most confident first; equal confidences keep data order.
  std::stable_sort(found.begin(), found.end(), [](const Anomaly& a, const Anomaly& b) { return a.confidence > b.confidence; });
  fmt::print("anomalies: {} of {} images ({} split) have a label the classifier contradicts with probability >= {}\n",
             found.size(), part.size(), f.split, f.min_confidence);
  if (found.size() > static_cast<std::size_t>(f.top)) found.resize(static_cast<std::size_t>(f.top));

  const auto& names = c.meta.class_names;
  const int window = data::window_index(c.meta.preprocess.windows.front());
  std::string csv = "rank,file,id,label,predicted,confidence,label_probability\n";
  std::vector<report::LabelledTile> tiles;
  for (std::size_t r = 0; r < found.size(); ++r) {
    const Anomaly& a = found[r];
    const data::SampleInfo& info = part.info(a.index);
    const std::string label = names[static_cast<std::size_t>(a.label)], predicted = names[static_cast<std::size_t>(a.predicted)];
    const std::filesystem::path file = f.data / info.split / label / data::spectrogram_name(info.ifo, info.id, window);
    csv += fmt::format("{},{},{},{},{},{:.4f},{:.4f}\n", r + 1, nets::csv_field(file.lexically_normal().string()),
                       nets::csv_field(info.ifo + "_" + info.id), nets::csv_field(label), nets::csv_field(predicted),
                       a.confidence, a.label_probability);
    tiles.push_back({data::sample_image(part, a.index),
                     {"label: " + label, fmt::format("pred: {} {:.2f}", predicted, a.confidence),
                      fmt::format("#{} {}_{}", r + 1, info.ifo, info.id)},
                     false});
    fmt::print("{:>3}. {}_{}  label {}  predicted {} {:.3f} (label {:.3f})\n", r + 1, info.ifo, info.id, label, predicted,
               a.confidence, a.label_probability);
  }
  std::filesystem::create_directories(out);
  write_text_file_atomic(out / "anomalies.csv", csv);
  if (tiles.empty()) {
    std::filesystem::remove(out / "anomalies.png");  // no sheet to show; none from an earlier run either
    fmt::print("wrote {} (no anomalies, so no contact sheet)\n", (out / "anomalies.csv").string());
    return;
  }
  data::write_png(out / "anomalies.png", report::labelled_sheet(tiles, f.columns));
  fmt::print("wrote {} and {}\n", (out / "anomalies.csv").string(), (out / "anomalies.png").string());
}

}  // namespace

void add_anomalies_command(CLI::App& app) {
  auto f = std::make_shared<AnomaliesFlags>();
  CLI::App* cmd = app.add_subcommand("anomalies", "List the images whose label a trained classifier confidently contradicts "
                                                  "(CSV and a captioned contact sheet)");
  cmd->add_option("--checkpoint", f->checkpoint, "classifier checkpoint (best.safetensors of a train-classifier run)")->required();
  cmd->add_option("--data", f->data, "Gravity Spy folder, loaded as the classifier was trained")->required();
  cmd->add_option("--min-confidence", f->min_confidence, "lowest probability of the predicted class to report")
      ->check(in_range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--top", f->top, "most anomalies to list")->check(positive())->capture_default_str();
  cmd->add_option("--split", f->split, "all, or test, validation, train as eval-classifier picks them")
      ->check(one_of(kSplitChoices))->capture_default_str();
  cmd->add_option("--out", f->out, "folder for anomalies.csv and anomalies.png (default: <checkpoint folder>/anomalies)");
  cmd->add_option("--cache", f->cache, "decoded-image cache folder (default: <checkpoint folder>/data-cache)");
  cmd->add_option("--columns", f->columns, "contact sheet columns")->check(positive())->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per forward pass")->check(positive())->capture_default_str();
  cmd->callback([f] { anomalies(*f); });
}

}  // namespace gg::tools

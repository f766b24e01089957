// `glitchgan synth-check`: synthetic scans against real ones, class by class, in the statistics a
// classifier sees (data/realism.h): the energy profile over frequency, the loud cluster's extent in
// time and frequency, the peak energy and the background's histogram; side-by-side sheets and
// profile charts; and with --checkpoint (a classifier trained on synthetic scans) its sim->real
// accuracy on the real folder.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "data/gravityspy_layout.h"
#include "data/image_grid.h"
#include "data/png_io.h"
#include "data/realism.h"
#include "engine/posix_file.h"
#include "nets/classifier_trainer.h"
#include "report/chart.h"
#include "report/labelled_sheet.h"
#include "study/json_values.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

// The frequency axis of a Gravity Spy scan spans log2(2048 / 10) octaves (../shared/data/GRAVITYSPY.md).
const double kOctaves = std::log2(2048.0 / 10.0);

struct SynthCheckFlags {
  std::filesystem::path real, synth, out, checkpoint;
  int size = 64, sheet = 3, batch = 64;
  std::string window = "1.0", device = "cpu";
  double loud = 0.2;
};

data::Dataset load_rgb(const std::filesystem::path& root, const SynthCheckFlags& f, const std::string& flag) {
  data::PreprocessOptions p;
  p.windows = {std::stod(f.window)};
  p.height = p.width = f.size;
  p.color = data::ColorMode::rgb;
  return load_classifier_data(root, p, {}, flag);
}

// Up to `count` samples of class `label`, in data-set order.
std::vector<std::size_t> first_of_class(const data::Dataset& d, int label, int count) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < d.size() && static_cast<int>(out.size()) < count; ++i)
    if (d.label(i) == label) out.push_back(i);
  return out;
}

int label_of(const data::Dataset& d, const std::string& name) {
  const auto& names = d.class_names();
  return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
}

nlohmann::json comparison_json(const data::ClassComparison& c, double window) {
  using study::number_or_null;
  return {{"class", c.real.name},
          {"real_scans", c.real.scans},
          {"synthetic_scans", c.synthetic.scans},
          {"row_energy_difference", c.row_energy_difference},
          {"peak_real", c.real.peak_mean},
          {"peak_synthetic", c.synthetic.peak_mean},
          {"peak_std_real", c.real.peak_std},
          {"peak_std_synthetic", c.synthetic.peak_std},
          {"time_extent_seconds_real", c.real.time_extent_mean * window},
          {"time_extent_seconds_synthetic", c.synthetic.time_extent_mean * window},
          {"time_extent_ratio", number_or_null(c.time_extent_ratio)},
          {"frequency_extent_octaves_real", c.real.frequency_extent_mean * kOctaves},
          {"frequency_extent_octaves_synthetic", c.synthetic.frequency_extent_mean * kOctaves},
          {"frequency_extent_ratio", number_or_null(c.frequency_extent_ratio)},
          {"background_distance", c.background_distance},
          {"row_energy_real", c.real.row_energy},
          {"row_energy_synthetic", c.synthetic.row_energy},
          {"background_real", c.real.background},
          {"background_synthetic", c.synthetic.background}};
}

data::Image profile_chart(const data::ClassComparison& c) {
  report::Series real{.label = "real", .x = {}, .y = {}, .error = {}}, synthetic{.label = "synthetic", .x = {}, .y = {}, .error = {}};
  const std::size_t rows = c.real.row_energy.size();
  for (std::size_t r = 0; r < rows; ++r) {
    // x: octaves above 10 Hz at the row's centre (row 0 is the top, 2048 Hz).
    const double octave = kOctaves * (1.0 - (static_cast<double>(r) + 0.5) / static_cast<double>(rows));
    real.x.push_back(octave), real.y.push_back(c.real.row_energy[r]);
    synthetic.x.push_back(octave), synthetic.y.push_back(c.synthetic.row_energy[r]);
  }
  report::ChartOptions o;
  o.title = fmt::format("{}: mean energy per frequency row ({} real, {} synthetic)", c.real.name, c.real.scans, c.synthetic.scans);
  o.x_label = "octaves above 10 Hz";
  o.y_label = "normalised energy / 25.5";
  o.y_min = 0;
  return report::line_chart({real, synthetic}, o);
}

void synth_check(const SynthCheckFlags& f) {
  const Device device = checked_device(f.device);
  std::unique_ptr<nets::LoadedClassifier> classifier;
  if (!f.checkpoint.empty()) classifier = std::make_unique<nets::LoadedClassifier>(nets::load_classifier(f.checkpoint, device));
  const data::Dataset real = load_rgb(f.real, f, "--real"), synthetic = load_rgb(f.synth, f, "--synth");
  const double window = std::stod(f.window);

  std::map<std::string, data::ClassStatistics> synthetic_by_name;
  for (data::ClassStatistics& s : data::class_statistics(synthetic, f.loud)) synthetic_by_name.emplace(s.name, std::move(s));
  std::vector<data::ClassComparison> comparisons;
  std::vector<std::string> missing;
  for (const data::ClassStatistics& r : data::class_statistics(real, f.loud)) {
    const auto s = synthetic_by_name.find(r.name);
    if (s == synthetic_by_name.end()) missing.push_back(r.name);
    else comparisons.push_back(data::compare_class(r, s->second));
  }
  if (comparisons.empty())
    throw std::invalid_argument("--synth " + f.synth.string() + ": none of the real folder's classes is there");

  fmt::print("\n{:<22} {:>5} {:>5} | {:>7} | {:>13} | {:>13} | {:>15} | {:>6}\n", "class (energy 0-1)", "real", "synth",
             "row |d|", "peak r / s", "time s r / s", "freq oct r / s", "bg TV");
  std::filesystem::create_directories(f.out / "profiles");
  nlohmann::json classes = nlohmann::json::array();
  std::vector<report::LabelledTile> tiles;
  for (const data::ClassComparison& c : comparisons) {
    fmt::print("{:<22} {:>5} {:>5} | {:7.3f} | {:5.2f} / {:5.2f} | {:5.2f} / {:5.2f} | {:6.2f} / {:6.2f} | {:6.3f}\n", c.real.name,
               c.real.scans, c.synthetic.scans, c.row_energy_difference, c.real.peak_mean, c.synthetic.peak_mean,
               c.real.time_extent_mean * window, c.synthetic.time_extent_mean * window, c.real.frequency_extent_mean * kOctaves,
               c.synthetic.frequency_extent_mean * kOctaves, c.background_distance);
    classes.push_back(comparison_json(c, window));
    data::write_png(f.out / "profiles" / (c.real.name + ".png"), profile_chart(c));
    for (const auto& [set, kind] : {std::pair{&real, "real"}, std::pair{&synthetic, "synthetic"}}) {
      const std::vector<std::size_t> picked = first_of_class(*set, label_of(*set, c.real.name), f.sheet);
      for (int k = 0; k < f.sheet; ++k) {
        if (k < static_cast<int>(picked.size()))
          tiles.push_back({data::sample_image(*set, picked[static_cast<std::size_t>(k)]), {c.real.name, kind}, false});
        else
          tiles.push_back({data::Image(f.size, f.size, 3), {c.real.name, std::string(kind) + ": none"}, false});
      }
    }
  }
  data::write_png(f.out / "sheet.png", report::labelled_sheet(tiles, 2 * f.sheet, 96));
  if (!missing.empty()) fmt::print("not in --synth (left out): {}\n", fmt::join(missing, ", "));

  nlohmann::json summary = {{"real", f.real.string()},       {"synthetic", f.synth.string()}, {"size", f.size},
                            {"window_seconds", window},       {"loud_threshold", f.loud},       {"classes", classes},
                            {"classes_not_in_synthetic", missing}};
  if (classifier) {
    // sim->real: the checkpoint (trained on synthetic scans) on the real folder, loaded as it was trained.
    const data::Dataset as_trained = load_for_checkpoint(f.real, classifier->meta, f.checkpoint, {});
    const nets::Predictions p = nets::predict(*classifier->model, as_trained, f.batch, device);
    const nets::ClassificationReport r = nets::evaluate_predictions(as_trained.labels(), p.predicted, as_trained.num_classes());
    nlohmann::json recall;
    for (std::size_t k = 0; k < r.per_class.size(); ++k)
      if (r.per_class[k].support > 0) recall[as_trained.class_names()[k]] = r.per_class[k].recall;
    summary["sim_to_real"] = {{"checkpoint", f.checkpoint.string()}, {"images", as_trained.size()},
                              {"accuracy", r.accuracy},              {"macro_f1", r.macro_f1},
                              {"recall", recall}};
    fmt::print("\nsim->real: {} on {} real images: accuracy {:.1f}%, macro-F1 {:.3f}\n{}", f.checkpoint.string(),
               as_trained.size(), 100 * r.accuracy, r.macro_f1, report_text(r, as_trained.class_names(), 5));
  }
  write_text_file_atomic(f.out / "synth_check.json", summary.dump(2) + "\n");
  fmt::print("\nwrote {}: synth_check.json, sheet.png (real | synthetic per class), profiles/<class>.png\n", f.out.string());
}

}  // namespace

void add_synth_check_command(CLI::App& app) {
  auto f = std::make_shared<SynthCheckFlags>();
  CLI::App* cmd = app.add_subcommand("synth-check", "Compare synthetic glitch scans with real ones per class: energy profile over "
                                                    "frequency, loud-cluster extent, peak energy, background histogram, sheets; "
                                                    "with --checkpoint the sim->real accuracy");
  cmd->add_option("--real", f->real, "folder of real glitches (Gravity Spy layout, full figures or plot areas)")
      ->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--synth", f->synth, "folder of synthetic glitches (as `glitchgan synth` writes them)")
      ->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--out", f->out, "folder for synth_check.json, sheet.png, profiles/")->required();
  cmd->add_option("--checkpoint", f->checkpoint, "classifier trained on synthetic scans: its accuracy on --real (sim->real)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--size", f->size, "scans are compared at size x size")->check(positive())->capture_default_str();
  cmd->add_option("--window", f->window, "time window in seconds")->check(one_of(data::kWindowNames))
      ->capture_default_str();
  cmd->add_option("--loud", f->loud, "energy (share of the colour scale, 25.5) from which a pixel belongs to the loud cluster")
      ->check(in_range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--sheet", f->sheet, "scans per class and kind on sheet.png")->check(positive())->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N], for --checkpoint")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per forward pass, for --checkpoint")->check(positive())->capture_default_str();
  cmd->callback([f] { synth_check(*f); });
}

}  // namespace gg::tools

// `glitchgan robustness`: a trained classifier under disturbed inputs (nets/robustness.h):
// accuracy and macro-F1 against the strength of Poisson-like noise on the normalised energy
// (noise.csv, noise.png), and one-pixel attacks on correctly classified images (attacks.csv, a
// sheet of clean and attacked images attacks.png); the numbers also in robustness.json.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "data/gravityspy_layout.h"
#include "data/image_grid.h"
#include "data/png_io.h"
#include "data/samplers.h"
#include "engine/autograd.h"
#include "engine/posix_file.h"
#include "nets/classifier_trainer.h"
#include "nets/robustness.h"
#include "report/chart.h"
#include "report/labelled_sheet.h"
#include "tools/cli_checks.h"
#include "tools/classifier_cli.h"
#include "tools/commands.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct RobustnessFlags {
  std::filesystem::path checkpoint, data, out, cache;
  std::string split = "test", device = "cpu";
  std::vector<double> noise{0, 0.05, 0.1, 0.2, 0.3, 0.5};
  int attack_images = 50, batch = 64, sheet = 12;
  nets::OnePixelAttackOptions attack;
  std::uint64_t seed = 1;
  double progress_seconds = 10;
};

struct AttackRow {
  std::size_t index;  // in the split
  nets::OnePixelAttack attack;
  double feature_distance;  // |f(attacked) - f(clean)| / |f(clean)|, f the pooled features the head classifies
};

double relative_feature_distance(nets::GlitchClassifier& model, const data::Dataset& part, std::size_t index,
                                 const std::vector<std::uint8_t>& attacked, Device device) {
  const data::Dataset pair =
      data::Dataset(part.class_names(), part.channels(), part.height(), part.width(),
                    [&] {
                      std::vector<std::uint8_t> bytes(part.pixels(index).begin(), part.pixels(index).end());
                      bytes.insert(bytes.end(), attacked.begin(), attacked.end());
                      return bytes;
                    }(),
                    {part.label(index), part.label(index)}, {part.info(index), part.info(index)});
  NoGrad no_grad;
  EvalMode eval(model);
  const std::vector<std::size_t> both{0, 1};
  const std::vector<float> f = model.features(pair.images(both).to(device)).to_vector<float>();  // (2, w_last)
  const std::size_t w = f.size() / 2;
  double diff = 0, norm = 0;
  for (std::size_t k = 0; k < w; ++k) {
    diff += (f[w + k] - f[k]) * (f[w + k] - f[k]);
    norm += f[k] * f[k];
  }
  return norm > 0 ? std::sqrt(diff / norm) : 0.0;
}

void robustness(const RobustnessFlags& f) {
  const Device device = checked_device(f.device);
  const nets::LoadedClassifier c = nets::load_classifier(f.checkpoint, device);
  const std::filesystem::path run = f.checkpoint.parent_path();
  const std::filesystem::path out = f.out.empty() ? run / ("robustness-" + f.split) : f.out;
  const data::Dataset all = load_for_checkpoint(f.data, c.meta, f.checkpoint, f.cache.empty() ? run / "data-cache" : f.cache);
  const data::Dataset part = choose_split(all, f.split, c.meta.seed);
  if (part.empty()) throw std::invalid_argument("--split " + f.split + ": no images of " + f.data.string() + " fall in it");
  const auto& names = c.meta.class_names;
  fmt::print("robustness: {} on {} images ({} split)\n", f.checkpoint.string(), part.size(), f.split);

  // Accuracy against noise strength.
  nlohmann::json noise = nlohmann::json::array();
  std::string noise_csv = "strength,accuracy,macro_f1\n";
  report::Series accuracy{"accuracy", {}, {}, {}}, macro_f1{"macro-F1", {}, {}, {}};
  for (std::size_t k = 0; k < f.noise.size(); ++k) {
    const double s = f.noise[k];
    const data::Dataset noisy = nets::with_poisson_noise(part, s, nets::derive_seed(f.seed, k));
    const nets::Predictions p = nets::predict(*c.model, noisy, f.batch, device);
    const nets::ClassificationReport r = nets::evaluate_predictions(noisy.labels(), p.predicted, noisy.num_classes());
    fmt::print("  noise strength {:<5}  accuracy {:5.1f}%  macro-F1 {:.3f}\n", s, 100 * r.accuracy, r.macro_f1);
    noise.push_back({{"strength", s}, {"accuracy", r.accuracy}, {"macro_f1", r.macro_f1}});
    noise_csv += fmt::format("{},{:.6f},{:.6f}\n", s, r.accuracy, r.macro_f1);
    accuracy.x.push_back(s);
    accuracy.y.push_back(r.accuracy);
    macro_f1.x.push_back(s);
    macro_f1.y.push_back(r.macro_f1);
  }

  // One-pixel attacks on the first --attack-images correctly classified images of a seeded order.
  const nets::Predictions clean = nets::predict(*c.model, part, f.batch, device);
  Generator shuffle(nets::derive_seed(f.seed, 1000));
  const std::vector<std::size_t> order = data::random_permutation(part.size(), shuffle);
  std::vector<std::size_t> targets;
  for (std::size_t i : order)
    if (targets.size() < static_cast<std::size_t>(f.attack_images) && clean.predicted[i] == part.label(i)) targets.push_back(i);

  const nets::ProbabilityFn probabilities = nets::classifier_probabilities(*c.model, device);
  std::vector<AttackRow> rows;
  const auto start = std::chrono::steady_clock::now();
  auto last_print = start;
  int flipped = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const std::size_t i = targets[t];
    nets::OnePixelAttackOptions options = f.attack;
    options.seed = nets::derive_seed(f.seed, 2000 + i);
    nets::OnePixelAttack a =
        nets::one_pixel_attack(probabilities, part.pixels(i), part.channels(), part.height(), part.width(), part.label(i), options);
    flipped += a.flipped;
    const double distance = relative_feature_distance(*c.model, part, i, a.image, device);
    rows.push_back({i, std::move(a), distance});
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (t + 1 == targets.size() || std::chrono::duration<double>(now - last_print).count() >= f.progress_seconds) {
      last_print = now;
      const double rate = static_cast<double>(t + 1) / elapsed;
      fmt::print("  one-pixel attack {:>4}/{} images, {} flipped, {:.2f} images/s, ETA {}\n", t + 1, targets.size(), flipped,
                 rate, duration_text(static_cast<double>(targets.size() - t - 1) / rate));
    }
  }

  std::string attacks_csv =
      "id,label,clean_probability,flipped,predicted,attacked_probability,column,row,value,relative_feature_distance,evaluations\n";
  double distance_all = 0, distance_flipped = 0;
  std::vector<report::LabelledTile> tiles;
  for (const AttackRow& r : rows) {
    const data::SampleInfo& info = part.info(r.index);
    const nets::OnePixelAttack& a = r.attack;
    std::string value;
    for (std::uint8_t v : a.value) value += (value.empty() ? "" : " ") + std::to_string(v);
    const std::string label = names[static_cast<std::size_t>(part.label(r.index))];
    attacks_csv += fmt::format("{},{},{:.4f},{},{},{:.4f},{},{},{},{:.4f},{}\n", nets::csv_field(info.ifo + "_" + info.id),
                               nets::csv_field(label), a.clean_probability, a.flipped ? 1 : 0,
                               nets::csv_field(names[static_cast<std::size_t>(a.prediction)]), a.attacked_probability,
                               a.column, a.row, value, r.feature_distance, a.evaluations);
    distance_all += r.feature_distance;
    if (!a.flipped) continue;
    distance_flipped += r.feature_distance;
    if (tiles.size() >= 2 * static_cast<std::size_t>(f.sheet)) continue;
    const data::Dataset attacked(part.class_names(), part.channels(), part.height(), part.width(), a.image,
                                 {part.label(r.index)}, {info});
    tiles.push_back({data::sample_image(part, r.index), {"clean: " + label, fmt::format("p {:.2f}", a.clean_probability)}, false});
    tiles.push_back({data::sample_image(attacked, 0),
                     {"attacked: " + names[static_cast<std::size_t>(a.prediction)],
                      fmt::format("pixel ({}, {}) = {}", a.column, a.row, value)},
                     true});
  }
  const double attacked = static_cast<double>(rows.size());
  const nlohmann::json summary = {
      {"checkpoint", f.checkpoint.string()},
      {"data", f.data.string()},
      {"split", f.split},
      {"images", part.size()},
      {"seed", f.seed},
      {"noise", noise},
      {"one_pixel",
       {{"population", f.attack.population},
        {"generations", f.attack.generations},
        {"scale", f.attack.scale},
        {"correct_images", std::count_if(order.begin(), order.end(), [&](std::size_t i) { return clean.predicted[i] == part.label(i); })},
        {"attacked", rows.size()},
        {"flipped", flipped},
        {"flip_share", rows.empty() ? 0.0 : flipped / attacked},
        {"mean_relative_feature_distance", rows.empty() ? 0.0 : distance_all / attacked},
        {"mean_relative_feature_distance_flipped", flipped ? distance_flipped / flipped : 0.0}}}};
  if (!rows.empty())
    fmt::print("  one-pixel attack: {} of {} correctly classified images flipped ({:.1f}%), features moved {:.3f} (relative, "
               "mean; {:.3f} for the flipped)\n",
               flipped, rows.size(), 100.0 * flipped / attacked, distance_all / attacked, flipped ? distance_flipped / flipped : 0.0);

  std::filesystem::create_directories(out);
  write_text_file_atomic(out / "noise.csv", noise_csv);
  write_text_file_atomic(out / "attacks.csv", attacks_csv);
  write_text_file_atomic(out / "robustness.json", summary.dump(2) + "\n");
  data::write_png(out / "noise.png",
                  report::line_chart({accuracy, macro_f1}, {.title = fmt::format("{} split under Poisson-like noise", f.split),
                                                            .x_label = "noise strength (relative std at full energy)",
                                                            .y_label = "score",
                                                            .y_min = 0,
                                                            .y_max = 1}));
  std::filesystem::remove(out / "attacks.png");  // none from an earlier run when nothing flipped now
  if (!tiles.empty()) data::write_png(out / "attacks.png", report::labelled_sheet(tiles, 4));
  fmt::print("wrote {}: robustness.json, noise.csv, noise.png, attacks.csv{}\n", out.string(), tiles.empty() ? "" : ", attacks.png");
}

}  // namespace

void add_robustness_command(CLI::App& app) {
  auto f = std::make_shared<RobustnessFlags>();
  CLI::App* cmd = app.add_subcommand("robustness", "A trained classifier under Poisson-like noise and one-pixel attacks "
                                                   "(differential evolution): accuracy vs noise, flip share (CSV, JSON, PNG)");
  cmd->add_option("--checkpoint", f->checkpoint, "classifier checkpoint (best.safetensors of a train-classifier run)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", f->data, "Gravity Spy folder, loaded as the classifier was trained")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--split", f->split, "test, validation, train (the split folders, else the training run's seeded split) or all")
      ->check(one_of(kSplitChoices))->capture_default_str();
  cmd->add_option("--out", f->out, "folder for the results (default: <checkpoint folder>/robustness-<split>)");
  cmd->add_option("--cache", f->cache, "decoded-image cache folder (default: <checkpoint folder>/data-cache)");
  cmd->add_option("--noise", f->noise,
                  "noise strengths: relative standard deviation of the Poisson-like noise where the normalised energy is 1 "
                  "(comma-separated, each in [0, 1])")
      ->delimiter(',')->check(in_range(0, 1))->capture_default_str();
  cmd->add_option("--attack-images", f->attack_images, "correctly classified images to attack (0: no attack)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--population", f->attack.population, "differential evolution: candidates per generation (at least 4)")
      ->check(CLI::Range(4, 100000))->capture_default_str();
  cmd->add_option("--generations", f->attack.generations, "differential evolution: generations at most")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--scale", f->attack.scale, "differential evolution: F of DE/rand/1")->check(in_range(0.01, 2))->capture_default_str();
  cmd->add_option("--sheet", f->sheet, "flipped images shown in attacks.png (clean and attacked side by side)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed of the noise and the attacks")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--batch", f->batch, "images per forward pass when scoring noisy images")->check(positive())->capture_default_str();
  cmd->add_option("--progress-seconds", f->progress_seconds, "seconds between progress lines of the attack")
      ->check(non_negative())->capture_default_str();
  cmd->callback([f] { robustness(*f); });
}

}  // namespace gg::tools

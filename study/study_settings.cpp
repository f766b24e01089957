#include "study/study_settings.h"

#include <fmt/format.h>

#include <bit>
#include <stdexcept>

#include "data/gravityspy_loader.h"
#include "nets/progan_schedule.h"

namespace gg::study {

namespace {

// parse()'s value; an std::invalid_argument it throws is thrown again with the flag's name in front.
template <typename Parse>
auto parse_flag(const char* flag, Parse&& parse) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(flag) + ": " + e.what());
  }
}

nets::ScheduleConfig gan_schedule(const StudySettings& s) {
  nets::ScheduleConfig c;
  c.final_level = std::countr_zero(static_cast<unsigned>(s.resolution));  // as the trainer derives it
  c.stabilize_kimg = s.kimg_stabilize;
  c.fade_kimg = s.kimg_fade;
  c.total_kimg = s.gan_total_kimg;
  return c;
}
}  // namespace

double StudySettings::gan_kimg() const { return gan_schedule(*this).run_kimg(); }

std::vector<std::pair<std::string, std::string>> StudySettings::describe() const {
  return {
      {"images", fmt::format("{}x{}, {}, {} s window", resolution, resolution, channels == 1 ? "gray" : "RGB", window)},
      {"ProGAN", fmt::format("conditional, 4x4 to {0}x{0}, {1} kimg per stabilize and {2} per fade phase, {13} kimg in all, batch {3}, "
                             "fmap_base {4}, fmap_max {5}, lr {6}; class loss weight {10}, D's class head on {11}; "
                             "EMA half-life {7} kimg, ramp-up {8} {12}; D's time augmentation {9}",
                             resolution, kimg_stabilize, kimg_fade, gan_batch, fmap_base, fmap_max, gan_lr,
                             ema_half_life_kimg, ema_rampup,
                             augment_adaptive ? fmt::format("adaptive from p {}", augment)
                                              : (augment > 0 ? fmt::format("p {}", augment) : std::string("off")),
                             cond_weight, d_classify_reals_only ? "reals only" : "reals and fakes",
                             ema_rampup_whole_run ? "of the whole run" : "per level", gan_kimg())},
      {"generated", fmt::format("from the {} generator, per class up to {} x the largest class (real + generated){}",
                                sample_weights == "ema" ? "EMA (Gs)" : "raw (G)", enlarge,
                                gan_select > 1 ? fmt::format("; the real classifier's likeliest 1 in {} kept", gan_select)
                                               : std::string())},
      {"classifiers", fmt::format("{}; at most {} epochs, batch {}, Adam lr {} (x0.1 every 7 epochs), early stopping "
                                  "patience {}, {}generated share of a batch {}",
                                  methods, epochs, batch, lr, patience, class_weights ? "class weights, " : "",
                                  extra_ratio) +
                          (methods.find("synth") != std::string::npos
                               ? fmt::format("; synthetic pre-training on {} scans per class ({} models, {} energy "
                                             "normalisation)",
                                             synth_per_class, synth_models, synth_energy_norm)
                               : std::string())},
      {"seed, device", fmt::format("{}, {}", seed, device)},
  };
}

data::PreprocessOptions StudySettings::preprocess() const {
  data::PreprocessOptions p;
  p.windows = {std::stod(window)};
  p.height = p.width = resolution;
  p.color = channels == 3 ? data::ColorMode::rgb : data::ColorMode::gray;
  return p;
}

StudyOptions StudySettings::to_options(const std::filesystem::path& out, std::function<void(const std::string&)> print) const {
  if (channels != 1 && channels != 3) throw std::invalid_argument("--channels must be 1 or 3");
  if (!(enlarge >= 1)) throw std::invalid_argument("--enlarge must be at least 1");
  if (!(extra_ratio > 0 && extra_ratio < 1)) throw std::invalid_argument("--extra-ratio must be in (0, 1)");
  StudyOptions o;
  o.gan.net.resolution = resolution;
  o.gan.net.channels = channels;
  o.gan.net.fmap_base = fmap_base;
  o.gan.net.fmap_max = fmap_max;
  const nets::ScheduleConfig schedule = gan_schedule(*this);
  const double last_fade_end =  // where the final level has fully faded in (4x4 alone has no fade)
      schedule.final_level > 2 ? nets::level_start_kimg(schedule, schedule.final_level) + schedule.fade_kimg : 0;
  if (gan_total_kimg > 0 && gan_total_kimg < last_fade_end)
    throw std::invalid_argument(
        fmt::format("--gan-total-kimg: must be 0 or at least {} (the end of the last fade-in)", last_fade_end));
  o.gan.schedule = schedule;
  o.gan.schedule.set_constant_batch(gan_batch);
  o.gan.adam.lr = gan_lr;
  if (!(cond_weight >= 0)) throw std::invalid_argument("--cond-weight: must be >= 0");
  o.gan.loss.cond_weight = cond_weight;
  o.gan.loss.classify_fakes = !d_classify_reals_only;
  if (!(ema_half_life_kimg >= 0)) throw std::invalid_argument("--ema-half-life: must be >= 0");
  if (!(ema_rampup >= 0)) throw std::invalid_argument("--ema-rampup: must be >= 0");
  o.gan.ema = {.half_life_kimg = ema_half_life_kimg, .rampup = ema_rampup, .rampup_per_level = !ema_rampup_whole_run};
  if (!(augment >= 0 && augment <= 1)) throw std::invalid_argument(fmt::format("--augment: must be in [0, 1], got {}", augment));
  o.gan.augment.probability = augment;
  o.gan.augment.adaptive = augment_adaptive;
  o.sample_weights = parse_flag("--sample-weights", [&] { return nets::parse_gan_weights(sample_weights); });
  if (gan_select < 1) throw std::invalid_argument("--gan-select: must be >= 1");
  o.select_factor = gan_select;
  if (gan_test_per_class < 1) throw std::invalid_argument("--gan-test-per-class: must be >= 1");
  o.gan_test_per_class = gan_test_per_class;
  o.gan_metrics_kimg = gan_metrics_kimg;
  o.gan.seed = seed;
  o.gan.window = window;
  o.gan.device = Device::parse(device);
  // Each classifier block halves the image; keep the blocks that leave at least 2x2 (all four from 32 up).
  auto& widths = o.classifier.net.widths;
  while (widths.size() > 1 && (resolution >> widths.size()) < 2) widths.pop_back();
  o.classifier.epochs = epochs;
  o.classifier.batch = batch;
  o.classifier.lr = lr;
  o.classifier.patience = patience;
  o.classifier.class_weights = class_weights;
  o.classifier.extra_ratio = extra_ratio;
  o.classifier.seed = seed;
  o.classifier.device = o.gan.device;
  o.classifier.preprocess = preprocess();
  o.enlarge = enlarge;
  if (synth_per_class < 1) throw std::invalid_argument("--synth-per-class must be at least 1");
  o.synth_per_class = synth_per_class;
  o.synth_models = parse_flag("--synth-models", [&] { return data::synth::model_set_from_name(synth_models); });
  o.synth_energy_norm = parse_flag("--synth-energy-norm", [&] { return data::synth::energy_norm_from_name(synth_energy_norm); });
  o.gan_progress_seconds = progress_seconds;
  o.methods = parse_flag("--methods", [&] { return parse_methods(methods); });
  o.out = out;
  o.print = std::move(print);
  return o;
}

StudyData load_study_data(const std::filesystem::path& root, const StudySettings& settings,
                          const std::filesystem::path& cache_dir) {
  data::LoadOptions o;
  o.root = root;
  o.preprocess = settings.preprocess();
  o.cache_dir = cache_dir;
  const data::Dataset all = data::load_gravityspy(o).dataset;
  const bool has_folders = !all.empty() && !all.info(0).split.empty();  // the loader sets all or none
  StudyData out;
  out.splits = has_folders ? data::folder_splits(all) : data::stratified_split(all, {0.6, 0.2, 0.2}, settings.seed);
  out.description = fmt::format("{} images of {} classes from {} at {}x{} ({}, {} s window), split {}: {} train, {} "
                                "validation, {} test.",
                                all.size(), all.num_classes(), root.string(), settings.resolution, settings.resolution,
                                settings.channels == 3 ? "RGB" : "gray", settings.window,
                                has_folders ? "by its train/validation/test folders" : "60/20/20 stratified by class",
                                out.splits.train.size(), out.splits.validation.size(), out.splits.test.size());
  return out;
}

}  // namespace gg::study

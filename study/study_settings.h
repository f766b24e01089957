#pragma once
// The settings of a study in plain values, as the augment / experiment / demo commands take them
// from flags, and how they become StudyOptions. The defaults are the demo's: small enough that the
// whole study runs in minutes on two CPU cores (the README lists them; a test keeps it honest).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "data/preprocess.h"
#include "data/splits.h"
#include "study/augmentation_study.h"

namespace gg::study {

struct StudySettings {
  // Images
  int resolution = 32;           // the GAN's final resolution and the classifier's input size
  int channels = 1;              // 1 gray, 3 RGB
  std::string window = "1.0";    // time window of the scans, seconds
  // ProGAN
  double kimg_stabilize = 6, kimg_fade = 6;  // measured: GAN-test 21% at 3 + 3 kimg, 46% at 6 + 6 (README)
  // The run's length (0: the last fade's end + one stabilize phase, 42 kimg here). Measured on the
  // demo (README): GAN-test 79.7 % at 48 kimg, 83.4 % at 50, 84.0 % at 54; 50 fits its 15 minutes.
  double gan_total_kimg = 50;
  int gan_batch = 16;  // a short run needs many small steps more than big ones
  int fmap_base = 512, fmap_max = 128;
  double gan_lr = 1e-3;
  double cond_weight = 1;              // weight of the AC-GAN class losses
  bool d_classify_reals_only = true;   // D's class head learns from reals only (measured: README)
  double ema_half_life_kimg = 10, ema_rampup = 0.05;  // the generator EMA (nets::EmaOptions)
  bool ema_rampup_whole_run = false;                  // false: the ramp-up restarts at each new level
  double augment = 0.2;          // p of D's time shift and cutout (0: off); the adaptive p starts here
  bool augment_adaptive = true;  // ADA: p follows D's overfitting signal
  std::string sample_weights = "ema";  // the generator the classifiers' images come from: ema or raw
  int gan_select = 1;  // generated candidates per image kept, picked by the real classifier (1: no selection)
  int gan_test_per_class = 25;
  double gan_metrics_kimg = 6;   // GAN-test into the GAN's log this often (0: at the end)
  // Classifiers
  int epochs = 20, batch = 32;
  double lr = 1e-3;
  int patience = 8;
  bool class_weights = false;
  double extra_ratio = 0.5;
  double enlarge = 2;            // real + generated per class, as a multiple of the largest class
  std::string methods = "real,real+gan,gan-pretrain";
  std::size_t synth_per_class = 200;  // synthetic scans per class for synth-pretrain and synth+gan-pretrain
  std::string synth_models = "v3";             // their class models (synth --models)
  std::string synth_energy_norm = "robust-mean";  // their energy normalisation (synth --energy-norm)
  // Everything
  std::uint64_t seed = 1;
  std::string device = "cpu";
  double progress_seconds = 30;

  // The ProGAN run's length in kimg (gan_total_kimg, or the schedule's own end when it is 0).
  double gan_kimg() const;
  // The settings as (name, value) rows for tables: images, ProGAN, generated, classifiers, seed.
  std::vector<std::pair<std::string, std::string>> describe() const;
  // How the study loads images: the window, gray or RGB, resized to the resolution. Classifier
  // checkpoints record it, so eval-classifier and anomalies load data the same way.
  data::PreprocessOptions preprocess() const;
  // Throws std::invalid_argument naming the bad setting (by its flag).
  StudyOptions to_options(const std::filesystem::path& out, std::function<void(const std::string&)> print) const;
};

// The images of `root` as the study sees them (the window, gray or RGB, resized to the resolution),
// cached in `cache_dir`, split by the folders train/validation/test when the data has them and
// otherwise stratified 60 / 20 / 20 with `seed`.
struct StudyData {
  data::Splits splits;
  std::string description;  // one sentence: what was loaded and how it was split
};
StudyData load_study_data(const std::filesystem::path& root, const StudySettings& settings,
                          const std::filesystem::path& cache_dir);

}  // namespace gg::study

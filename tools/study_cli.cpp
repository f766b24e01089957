#include "tools/study_cli.h"

#include <fmt/core.h>

#include <cstdio>

#include "data/gravityspy_layout.h"
#include "data/synth/glitch_models.h"
#include "data/synth/qtransform.h"
#include "tools/cli_checks.h"

namespace gg::tools {

void add_study_flags(CLI::App* cmd, study::StudySettings& s) {
  cmd->add_option("--resolution", s.resolution, "GAN final resolution and classifier input size (power of two)")
      ->check(CLI::IsMember({8, 16, 32, 64, 128, 256}))->capture_default_str()->group("Images");
  cmd->add_option("--channels", s.channels, "1: gray, 3: RGB")->check(CLI::IsMember({1, 3}))->capture_default_str()->group("Images");
  cmd->add_option("--window", s.window, "time window of the scans in seconds")
      ->check(one_of(data::kWindowNames))->capture_default_str()->group("Images");
  cmd->add_option("--kimg-stabilize", s.kimg_stabilize, "ProGAN: thousands of images per stabilize phase")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--kimg-fade", s.kimg_fade, "ProGAN: thousands of images per fade-in phase")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-total-kimg", s.gan_total_kimg,
                  "ProGAN: length of the run in kimg; the final resolution trains on after its fade-in (0: one stabilize phase)")
      ->check(non_negative())->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-batch", s.gan_batch, "ProGAN: minibatch at every resolution")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--fmap-base", s.fmap_base, "ProGAN: feature maps min(fmap_base / 2^stage, fmap_max)")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--fmap-max", s.fmap_max, "ProGAN: most feature maps of a layer")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-lr", s.gan_lr, "ProGAN: Adam learning rate")->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--cond-weight", s.cond_weight, "ProGAN: weight of the AC-GAN class losses of D and G")
      ->check(non_negative())->capture_default_str()->group("ProGAN");
  cmd->add_flag("--d-classify-reals-only,!--d-classify-fakes", s.d_classify_reals_only,
                "ProGAN: D's class head learns from real images only (or also from the fakes' labels, as the official loss)")
      ->group("ProGAN");
  cmd->add_option("--ema-half-life", s.ema_half_life_kimg, "ProGAN: half-life of the generator EMA in kimg (0: Gs = G)")
      ->check(non_negative())->capture_default_str()->group("ProGAN");
  cmd->add_option("--ema-rampup", s.ema_rampup, "ProGAN: EMA half-life at most this share of the images shown so far (0: no ramp-up)")
      ->check(non_negative())->capture_default_str()->group("ProGAN");
  cmd->add_flag("--ema-rampup-whole-run", s.ema_rampup_whole_run,
                "ProGAN: the EMA ramp-up counts the whole run's images, not those since the newest level joined")
      ->group("ProGAN");
  cmd->add_option("--augment", s.augment, "ProGAN: probability of D's time shift and time cutout per image (0: off)")
      ->check(in_range(0.0, 1.0))->capture_default_str()->group("ProGAN");
  cmd->add_flag("--augment-adaptive,!--augment-fixed", s.augment_adaptive,
                "ProGAN: adapt that probability to D's overfitting (ADA), or keep it fixed")->group("ProGAN");
  cmd->add_option("--sample-weights", s.sample_weights, "generator the images come from: ema (Gs) or raw (G)")
      ->check(CLI::IsMember({"ema", "raw"}))->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-select", s.gan_select,
                  "draw N generated images per one used; the real classifier keeps those likeliest of their class (1: all)")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-test-per-class", s.gan_test_per_class, "generated images per class for GAN-test")
      ->check(positive())->capture_default_str()->group("ProGAN");
  cmd->add_option("--gan-metrics-kimg", s.gan_metrics_kimg, "GAN-test of G and Gs into the GAN's log every N kimg (0: at the end)")
      ->check(non_negative())->capture_default_str()->group("ProGAN");
  cmd->add_option("--epochs", s.epochs, "classifier: most epochs")->check(positive())->capture_default_str()->group("Classifier");
  cmd->add_option("--batch", s.batch, "classifier: minibatch")->check(positive())->capture_default_str()->group("Classifier");
  cmd->add_option("--lr", s.lr, "classifier: Adam learning rate (x0.1 every 7 epochs)")
      ->check(positive())->capture_default_str()->group("Classifier");
  cmd->add_option("--patience", s.patience, "classifier: early stopping after this many epochs without a better validation accuracy (0: off)")
      ->check(non_negative())->capture_default_str()->group("Classifier");
  cmd->add_flag("--class-weights", s.class_weights, "classifier: inverse-frequency class weights in the loss")->group("Classifier");
  cmd->add_option("--extra-ratio", s.extra_ratio, "real+gan: share of each batch drawn from the generated images")
      ->capture_default_str()->group("Classifier");
  cmd->add_option("--enlarge", s.enlarge, "generate up to this many times the largest class, per class (real + generated)")
      ->capture_default_str()->group("Classifier");
  cmd->add_option("--methods", s.methods, "comma-separated: real, real+gan, gan-pretrain, synth-pretrain, synth+gan-pretrain (the last two "
                  "pre-train on synthetic scans of the study's classes; the ProGAN is trained only for a method "
                  "that uses generated images)")->capture_default_str()->group("Classifier");
  cmd->add_option("--synth-per-class", s.synth_per_class,
                  "synth-pretrain, synth+gan-pretrain: synthetic scans per class to pre-train on")
      ->check(positive())->capture_default_str()->group("Classifier");
  cmd->add_option("--synth-models", s.synth_models,
                  "synth-pretrain, synth+gan-pretrain: class models of those scans (synth --models; v3 the most realistic)")
      ->check(one_of(data::synth::kModelSetNames))->capture_default_str()->group("Classifier");
  cmd->add_option("--synth-energy-norm", s.synth_energy_norm,
                  "synth-pretrain, synth+gan-pretrain: energy normalisation of those scans (synth --energy-norm)")
      ->check(one_of(data::synth::kEnergyNormNames))->capture_default_str()->group("Classifier");
  cmd->add_option("--seed", s.seed, "seed of every random stream")->capture_default_str();
  cmd->add_option("--device", s.device, "cpu or cuda[:N]")->capture_default_str();
  cmd->add_option("--progress-seconds", s.progress_seconds, "seconds between ProGAN progress lines")
      ->check(non_negative())->capture_default_str();
}

void print_line(const std::string& line) {
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

}  // namespace gg::tools

// `glitchgan train-gan`: trains a ProGAN on a Gravity Spy folder with the official schedule and
// WGAN-GP loss, writing checkpoints, a JSON-lines log and sample grids into the run folder.
#include <fmt/core.h>

#include <memory>

#include "data/gravityspy_layout.h"
#include "nets/classifier_checkpoint.h"
#include "nets/gan_quality.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_run.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"
#include "tools/job_cli.h"
#include "tools/progan_cli.h"

namespace gg::tools {

namespace {

struct TrainGanFlags {
  std::filesystem::path data, out;
  int resolution = 64, channels = 1;
  std::string window = "1.0";
  double kimg_stabilize = 600, kimg_fade = 600, total_kimg = 0;
  int batch = 0;  // 0: the per-resolution defaults
  int fmap_base = 8192, fmap_max = 512;
  double lr = 1e-3;
  double cond_weight = 1;
  bool d_classify_reals_only = false;
  std::uint64_t seed = 1;
  std::string device = "cpu";
  std::string class_name;
  bool conditional = false, resume = false;
  double checkpoint_kimg = 20, progress_seconds = 10;
  double ema_half_life = 10, ema_rampup = 0.05;
  bool ema_rampup_whole_run = false;
  double augment = 0;
  bool augment_adaptive = false;
  std::filesystem::path judge;  // classifier checkpoint for GAN-test
  double metrics_kimg = 0;
  int gan_test_per_class = 25;
};

// Writes the flags into `c`; with `only_given`, only those on the command line (a resumed run
// starts from its stored settings, and any flag given must agree with them).
void apply_flags(nets::ProganTrainConfig& c, const TrainGanFlags& f, const CLI::App& cmd, bool only_given) {
  auto given = [&](const char* flag) { return !only_given || cmd.count(flag) > 0; };
  if (given("--resolution")) c.net.resolution = f.resolution;
  if (given("--channels")) c.net.channels = f.channels;
  if (given("--window")) c.window = f.window;
  if (given("--kimg-stabilize")) c.schedule.stabilize_kimg = f.kimg_stabilize;
  if (given("--kimg-fade")) c.schedule.fade_kimg = f.kimg_fade;
  if (given("--total-kimg")) c.schedule.total_kimg = f.total_kimg;
  if (given("--batch") && f.batch > 0) c.schedule.set_constant_batch(f.batch);
  if (given("--fmap-base")) c.net.fmap_base = f.fmap_base;
  if (given("--fmap-max")) c.net.fmap_max = f.fmap_max;
  if (given("--lr")) c.adam.lr = f.lr;
  if (given("--cond-weight")) c.loss.cond_weight = f.cond_weight;
  if (given("--d-classify-reals-only")) c.loss.classify_fakes = !f.d_classify_reals_only;
  if (given("--seed")) c.seed = f.seed;
  if (given("--ema-half-life")) c.ema.half_life_kimg = f.ema_half_life;
  if (given("--ema-rampup")) c.ema.rampup = f.ema_rampup;
  if (given("--ema-rampup-whole-run")) c.ema.rampup_per_level = !f.ema_rampup_whole_run;
  if (given("--augment")) c.augment.probability = f.augment;
  if (given("--augment-adaptive")) c.augment.adaptive = f.augment_adaptive;
}

void train_gan(const TrainGanFlags& f, const CLI::App& cmd, distributed::Job& job) {
  Communicator& communicator = *job.communicator;
  const bool root = communicator.is_root();
  nets::ProganTrainConfig config;
  std::vector<std::string> classes;  // to load, in label order
  std::unique_ptr<nets::Checkpoint> checkpoint;
  const std::filesystem::path checkpoint_file = nets::checkpoint_path(f.out);
  const Device device = job.device;
  if (f.resume) {
    checkpoint = std::make_unique<nets::Checkpoint>(nets::read_checkpoint(checkpoint_file, device));
    config = checkpoint->config;
    nets::ProganTrainConfig requested = config;
    apply_flags(requested, f, cmd, true);
    const std::string differences = nets::config_differences(config, requested);
    if (!differences.empty()) {
      throw std::invalid_argument("--resume: the flags given differ from the settings stored in " + checkpoint_file.string() +
                                  " (" + differences + "); leave them out to go on with the stored ones");
    }
    const bool stored_single = config.net.num_classes == 0 && config.class_names.size() == 1;
    if ((f.conditional && config.net.num_classes == 0) ||
        (!f.class_name.empty() && !(stored_single && config.class_names[0] == f.class_name))) {
      throw std::invalid_argument("--resume: --class / --conditional differ from the run stored in " + checkpoint_file.string());
    }
    classes = config.class_names;
  } else {
    apply_flags(config, f, cmd, false);
    if (!f.class_name.empty()) classes = {f.class_name};
  }
  config.device = device;
  config.validate_settings();  // before any image is decoded
  if (communicator.size() > 1) nets::check_batches_split(config, communicator.size());
  std::unique_ptr<nets::LoadedClassifier> judge;  // GAN-test runs on rank 0
  if (root && !f.judge.empty()) judge = std::make_unique<nets::LoadedClassifier>(nets::load_classifier(f.judge, device));

  data::Dataset reals = load_once_per_job<data::Dataset>(
      communicator, [&] { return load_gan_data(f.data, config, classes, f.out / "data-cache", root); });
  if (!f.resume) {
    config.class_names = reals.class_names();
    if (f.conditional) config.net.num_classes = reals.num_classes();
  }
  nets::ProganTrainer trainer(config, std::move(reals), communicator);
  if (checkpoint) {
    nets::restore_checkpoint(trainer, *checkpoint, checkpoint_file);
    checkpoint.reset();  // the tensors now live in the trainer
    if (root)
      fmt::print("resumed {} at kimg {:.2f} (step {})\n", checkpoint_file.string(), trainer.state().kimg(),
                 trainer.state().step);
  }
  const nets::ProganConfig& net = trainer.config().net;
  if (root)
    fmt::print("train-gan: {}x{} x{} channel(s), {}, G {} / D {} parameters, {:g} kimg on {} ({})\n", net.resolution,
               net.resolution, net.channels,
               net.num_classes > 0 ? fmt::format("conditional on {} classes", net.num_classes) : std::string("unconditional"),
               trainer.generator().parameter_count(), trainer.discriminator().parameter_count(),
               trainer.config().schedule.run_kimg(), device.str(), communicator.describe());

  nets::RunOptions options;
  options.out = f.out;
  options.checkpoint_kimg = f.checkpoint_kimg;
  options.progress_seconds = f.progress_seconds;
  options.print = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  if (judge) {
    options.metrics_kimg = f.metrics_kimg;
    options.evaluate = [&](nets::ProganTrainer& t) -> std::vector<std::pair<std::string, double>> {
      const nets::GanTestPair r = nets::gan_test_run(t, *judge->model, judge->meta.class_names, f.gan_test_per_class, 64);
      return {{"gan_test_ema", r.ema.accuracy}, {"gan_test_raw", r.raw.accuracy}};
    };
  }
  const nets::RunSummary summary = nets::run_training(trainer, options, f.resume);
  if (root)
    fmt::print("done: kimg {:.2f}, {} steps in {:.1f} s; checkpoint {}\n", summary.kimg, summary.steps, summary.seconds,
             checkpoint_file.string());
}

}  // namespace

void add_train_gan_command(CLI::App& app) {
  auto f = std::make_shared<TrainGanFlags>();
  CLI::App* cmd = app.add_subcommand("train-gan", "Train a progressive-growing GAN (ProGAN, WGAN-GP) on Gravity Spy images "
                                                  "(data parallel under mpirun -np N)");
  cmd->add_option("--data", f->data, "Gravity Spy folder (<Class>/<ifo>_<id>_spectrogram_<s>.png)")->required();
  cmd->add_option("--out", f->out, "run folder: checkpoint, log.jsonl, samples/")->required();
  cmd->add_option("--resolution", f->resolution, "final resolution (power of two, 8..1024)")->capture_default_str();
  cmd->add_option("--channels", f->channels, "1: gray, 3: RGB")->check(CLI::IsMember({1, 3}))->capture_default_str();
  cmd->add_option("--window", f->window, "time window of the scans in seconds")
      ->check(one_of(data::kWindowNames))->capture_default_str();
  cmd->add_option("--kimg-stabilize", f->kimg_stabilize, "thousands of images per stabilize phase")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--kimg-fade", f->kimg_fade, "thousands of images per fade-in phase")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--total-kimg", f->total_kimg, "length of the run (0: last fade + one stabilize phase)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--batch", f->batch, "minibatch at every resolution (default: 128 up to 16x16, 64 at 32, 32 at 64, 16 at 128...)")
      ->check(positive());
  cmd->add_option("--fmap-base", f->fmap_base, "feature maps: min(fmap_base / 2^stage, fmap_max)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--fmap-max", f->fmap_max, "most feature maps of a layer")->check(positive())->capture_default_str();
  cmd->add_option("--lr", f->lr, "Adam learning rate of G and D")->check(positive())->capture_default_str();
  cmd->add_option("--cond-weight", f->cond_weight, "conditional: weight of the AC-GAN class losses of D and G")
      ->check(non_negative())->capture_default_str();
  cmd->add_flag("--d-classify-reals-only,!--d-classify-fakes", f->d_classify_reals_only,
                "conditional: D's class head learns from real images only (default: reals and fakes, as the official loss)");
  cmd->add_option("--seed", f->seed, "seed of every random stream")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu or cuda[:N]; under mpirun each rank takes GPU N + its rank on the host")
      ->capture_default_str();
  CLI::Option* class_opt = cmd->add_option("--class", f->class_name, "train on this class only (unconditional)");
  CLI::Option* cond_opt = cmd->add_flag("--conditional", f->conditional, "one model for all classes, label-conditioned");
  class_opt->excludes(cond_opt);
  cmd->add_flag("--resume", f->resume, "go on from <out>/checkpoint.safetensors, bit-identically");
  cmd->add_option("--checkpoint-kimg", f->checkpoint_kimg, "checkpoint interval (also at every phase end)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--progress-seconds", f->progress_seconds, "seconds between progress lines")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--ema-half-life", f->ema_half_life, "half-life of the generator EMA Gs in kimg (0: Gs = G)")
      ->check(non_negative())->capture_default_str()->group("Generator EMA and augmentation");
  cmd->add_option("--ema-rampup", f->ema_rampup, "EMA half-life at most this share of the images shown so far (0: none, "
                                                 "the official fixed EMA)")
      ->check(non_negative())->capture_default_str()->group("Generator EMA and augmentation");
  cmd->add_flag("--ema-rampup-whole-run", f->ema_rampup_whole_run,
                "the ramp-up counts the images of the whole run (StyleGAN2-ADA), not those since the newest level joined")
      ->group("Generator EMA and augmentation");
  cmd->add_option("--augment", f->augment, "probability of D's time shift and time cutout per image, reals and fakes (0: off)")
      ->check(in_range(0.0, 1.0))->capture_default_str()->group("Generator EMA and augmentation");
  cmd->add_flag("--augment-adaptive,!--augment-fixed", f->augment_adaptive,
                "adapt that probability to D's overfitting (ADA), from --augment; or keep it fixed")
      ->group("Generator EMA and augmentation");
  cmd->add_option("--judge", f->judge, "classifier checkpoint trained on real images: GAN-test of G and Gs into log.jsonl")
      ->check(CLI::ExistingFile)->group("GAN-test");
  cmd->add_option("--metrics-kimg", f->metrics_kimg, "GAN-test every N kimg (0: at the end only)")
      ->check(non_negative())->capture_default_str()->group("GAN-test");
  cmd->add_option("--gan-test-per-class", f->gan_test_per_class, "generated images per class for GAN-test")
      ->check(positive())->capture_default_str()->group("GAN-test");
  cmd->callback([f, cmd] { run_as_job(f->device, [&](distributed::Job& job) { train_gan(*f, *cmd, job); }); });
}

}  // namespace gg::tools

#pragma once
// ProGAN training, as the official train.py: the schedule (nets/progan_schedule.h) is read once per
// round of `minibatch_repeats` iterations; each iteration is one discriminator step with the exact
// WGAN-GP loss (nets/wgan_gp.h), the generator EMA update Gs <- lerp(G, Gs, beta) (run with the D
// step, before G moves, as the official D_train_op + Gs_update_op), then one generator step.
// The EMA's beta follows its half-life in images, ramped up as StyleGAN2-ADA does (see EmaOptions);
// the discriminator may see its inputs through a time-axis augmentation (nets/time_augment.h).
// Both Adams (lr 1e-3, betas 0 / 0.99, eps 1e-8) are reset whenever floor(lod) or ceil(lod)
// changes, i.e. when a fade starts and when it ends.
//
// Everything random has its own Philox stream whose (seed, offset) is part of the state, and the
// reals come from a seeded epoch shuffle whose position is part of the state too, so a run that is
// saved and restored continues bit-identically (see nets/progan_checkpoint.h).
//
// Data parallel over the ranks of a Communicator (nets/data_parallel.h): each rank draws every
// global minibatch's random numbers and trains on its share of the rows; the losses are averaged
// over the ranks and the gradients all-reduced before each Adam step, so the replicas stay equal.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/samplers.h"
#include "engine/communicator.h"
#include "engine/optim.h"
#include "nets/data_parallel.h"
#include "nets/progan.h"
#include "nets/progan_schedule.h"
#include "nets/time_augment.h"
#include "nets/wgan_gp.h"

namespace gg::nets {

// The latent vector's length: latent_size, or nf(0) when that is 0 (as the official code).
int progan_latent_size(const ProganConfig& net);

// The generator EMA Gs <- beta Gs + (1 - beta) G, with beta = 0.5^(batch / half-life in images):
// the half-life is half_life_kimg, but at most `rampup` x the images shown so far (StyleGAN2-ADA's
// ema_kimg and ema_rampup). The official ProGAN's fixed beta 0.999 is a half-life of 693 steps
// (11 kimg at batch 16) with no ramp-up: tuned for 600 kimg per phase, it leaves a run of a few
// kimg sampling mostly the random initialisation. The ramp-up keeps Gs within a few percent of
// training behind G at any budget. With rampup_per_level the ramp-up counts the images since the
// newest level joined (the start of its fade): that level's weights were random then, and the
// older levels change their role while it fades in, so an average reaching back across the join
// mixes generators that do not fit together (measured: GAN-test of Gs at chance at the end of a
// fade while G's was 58%, README).
struct EmaOptions {
  double half_life_kimg = 10;
  double rampup = 0.05;  // 0: no ramp-up (the official behaviour)
  bool rampup_per_level = true;  // false: the ramp-up counts every image of the run (StyleGAN2-ADA)
};
// beta for one step of `batch` images after `images` images (those of the run, or of the current
// level with rampup_per_level); 0 when the half-life is 0.
double ema_beta(const EmaOptions& ema, std::int64_t images, int batch);

struct ProganTrainConfig {
  ProganConfig net;          // resolution, channels, feature maps, num_classes (> 0: conditional)
  ScheduleConfig schedule;   // final_level follows net.resolution (set by validate)
  WganGpOptions loss;
  AdamOptions adam{.lr = 1e-3, .beta1 = 0.0, .beta2 = 0.99, .eps = 1e-8};
  EmaOptions ema;
  TimeAugmentOptions augment;  // what D sees of real and generated images; off by default
  std::uint64_t seed = 1;
  Device device = Device::cpu();
  // What the images are, so samples can be written back in the Gravity Spy layout: the class
  // names of the data (one per class output when conditional) and the time window shown.
  std::vector<std::string> class_names;
  std::string window = "1.0";
  int grid_count = 32;       // fixed latents for the sample grids

  // Fills schedule.final_level and checks every field; throws std::invalid_argument naming it.
  void validate();
  // The same for every field but the class names, which come with the data: commands call it
  // before they decode any image.
  void validate_settings();
};

// Throws std::invalid_argument, naming the resolution, when a batch of the schedule (validated:
// final_level set) does not split over `ranks` in whole minibatch-stddev groups (BatchShare).
void check_batches_split(const ProganTrainConfig& config, int ranks);

// The (seed, offset) of one Philox stream.
struct RngState {
  std::uint64_t seed = 0;
  std::uint64_t offset = 0;
};

// Everything besides tensors that a resumed run needs.
struct TrainingState {
  std::int64_t step = 0;          // iterations (D step + G step) done
  std::int64_t images_shown = 0;  // reals shown to D (the official cur_nimg)
  double previous_lod = -1;       // lod of the last round, -1 before the first (forces a reset)
  RngState latents, mixing, labels, augment;
  double augment_probability = 0;  // the adaptive augmentation's current p (the fixed p otherwise)
  std::uint64_t data_seed = 0;
  std::uint64_t data_position = 0;  // sample indices drawn from the shuffled epochs so far
  std::uint64_t data_size = 0;      // images in the data set (a resumed run must see the same set)

  double kimg() const { return static_cast<double>(images_shown) / 1000.0; }
};

// Losses of one iteration, or their means over a round.
struct IterationLosses {
  double d_loss = 0, g_loss = 0;
  double gradient_penalty = 0, drift = 0;
  double real_score = 0, fake_score = 0;
  double d_label_loss = 0, g_label_loss = 0;  // conditional mode only
  double real_sign = 0;  // mean sign(D(real)): ADA's overfitting signal r_t
};

struct RoundReport {
  SchedulePoint point;
  bool optimizers_reset = false;
  int iterations = 0;
  IterationLosses mean;
};

// Thrown when a loss is NaN or infinite; the trainer's state is then not worth saving.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProganTrainer {
 public:
  // A fresh run: G and D initialised from the seed, Gs a copy of G. `reals` must hold images of
  // net.channels x net.resolution^2 (and its labels, when conditional). Every rank of
  // `communicator` constructs one with the same config and data; each schedule batch must split
  // over the ranks (BatchShare), else std::invalid_argument.
  ProganTrainer(ProganTrainConfig config, data::Dataset reals, Communicator& communicator = single_process());

  // One round at the schedule point of the current kimg. Throws TrainingDiverged on NaN / Inf.
  RoundReport train_round();
  bool finished() const { return state_.kimg() >= config_.schedule.run_kimg(); }

  const ProganTrainConfig& config() const { return config_; }
  // The counters and every stream's current (seed, offset).
  TrainingState state() const;
  // The schedule at the current kimg: what the next round will train.
  SchedulePoint next_point() const { return schedule_at(config_.schedule, state_.kimg()); }

  // Gs on the fixed grid latents at the schedule point's level and alpha, (grid_count, C, S, S).
  Tensor grid_samples(const SchedulePoint& point);

  // All tensors of the run: "G.*", "D.*", "Gs.*" and the optimizers' "G_opt.*", "D_opt.*".
  TensorMap tensors() const;
  // Restores tensors (as from tensors()) and state. Throws naming what does not match.
  void restore(const TensorMap& tensors, const TrainingState& state);

  ProganGenerator& generator() { return *g_; }
  ProganGenerator& ema_generator() { return *gs_; }
  ProganDiscriminator& discriminator() { return *d_; }
  Communicator& communicator() { return communicator_; }

 private:
  IterationLosses iteration(const SchedulePoint& point);
  IterationLosses discriminator_step(const SchedulePoint& point);
  IterationLosses generator_step(const SchedulePoint& point);
  void update_ema(const SchedulePoint& point);
  // The critic D(augment(x)) at `point`: every call draws fresh augmentation parameters.
  Critic critic(const SchedulePoint& point, const BatchShare& share);
  BatchShare share_of(const SchedulePoint& point) const;
  // The losses' mean over the ranks (they are per-rank means of equal shares).
  void average_over_ranks(IterationLosses& losses);
  void adapt_augment_probability(const RoundReport& round);
  // One-hot labels for the net (undefined when unconditional).
  Tensor one_hot_labels(const std::vector<int>& labels) const;
  void seek_data(std::uint64_t position);

  ProganTrainConfig config_;
  data::Dataset reals_;
  Communicator& communicator_;
  TensorOptions options_;
  std::unique_ptr<ProganGenerator> g_, gs_;
  std::unique_ptr<ProganDiscriminator> d_;
  std::unique_ptr<Adam> g_opt_, d_opt_;
  std::unique_ptr<GradientAverager> g_grads_, d_grads_;
  TrainingState state_;  // counters; the streams' offsets live in the generators below
  Generator latents_gen_, mixing_gen_, labels_gen_, augment_gen_;
  std::unique_ptr<data::ShuffleSampler> sampler_;
  Tensor grid_latents_, grid_labels_;
};

}  // namespace gg::nets

#include "nets/progan_trainer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <fmt/core.h>

namespace gg::nets {

namespace {

// Independent Philox seeds for the run's streams, mixed from the user's seed (splitmix64), so
// that e.g. the latents of seed 2 are not the mixing factors of seed 1.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + (stream + 1) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
enum Stream : std::uint64_t { kInit, kLatents, kMixing, kLabels, kData, kGrid, kAugment };

// Parameters that must not collect gradients while the guard lives (D during the G step: the
// gradient flows through D to the fakes, but D's weights are not trained there).
class FrozenParameters {
 public:
  explicit FrozenParameters(std::vector<Tensor> params) : params_(std::move(params)) {
    for (Tensor& p : params_) p.set_requires_grad(false);
  }
  ~FrozenParameters() {
    for (Tensor& p : params_) p.set_requires_grad(true);
  }
  FrozenParameters(const FrozenParameters&) = delete;
  FrozenParameters& operator=(const FrozenParameters&) = delete;

 private:
  std::vector<Tensor> params_;
};

void add(IterationLosses& sum, const IterationLosses& x) {
  sum.d_loss += x.d_loss, sum.g_loss += x.g_loss;
  sum.gradient_penalty += x.gradient_penalty, sum.drift += x.drift;
  sum.real_score += x.real_score, sum.fake_score += x.fake_score;
  sum.d_label_loss += x.d_label_loss, sum.g_label_loss += x.g_label_loss;
  sum.real_sign += x.real_sign;
}

void scale(IterationLosses& x, double s) {
  for (double* v : {&x.d_loss, &x.g_loss, &x.gradient_penalty, &x.drift, &x.real_score, &x.fake_score,
                    &x.d_label_loss, &x.g_label_loss, &x.real_sign})
    *v *= s;
}

void insert_prefixed(TensorMap& out, const std::string& prefix, const TensorMap& in) {
  for (const auto& [name, t] : in) out[prefix + name] = t;
}

TensorMap with_prefix_removed(const TensorMap& in, const std::string& prefix) {
  TensorMap out;
  for (const auto& [name, t] : in)
    if (name.rfind(prefix, 0) == 0) out[name.substr(prefix.size())] = t;
  return out;
}

}  // namespace

double ema_beta(const EmaOptions& ema, std::int64_t images, int batch) {
  double half_life = ema.half_life_kimg * 1000;
  if (ema.rampup > 0) half_life = std::min(half_life, ema.rampup * static_cast<double>(images));
  if (!(half_life > 0)) return 0;
  return std::pow(0.5, batch / half_life);
}

void check_batches_split(const ProganTrainConfig& config, int ranks) {
  for (int level = 2; level <= config.schedule.final_level; ++level) {
    try {
      BatchShare(batch_at_resolution(config.schedule, 1 << level), config.net.mbstd_group_size, 0, ranks);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{} ranks at {}x{}: {}", ranks, 1 << level, 1 << level, e.what()));
    }
  }
}

int progan_latent_size(const ProganConfig& net) { return net.latent_size > 0 ? net.latent_size : progan_features(net, 0); }

void ProganTrainConfig::validate() {
  validate_settings();
  if (net.num_classes > 0 && static_cast<int>(class_names.size()) != net.num_classes) {
    throw std::invalid_argument("conditional training: " + std::to_string(net.num_classes) + " class outputs but " +
                                std::to_string(class_names.size()) + " class names");
  }
}

void ProganTrainConfig::validate_settings() {
  auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
  const int res = net.resolution;
  if (res < 8 || res > 1024 || !std::has_single_bit(static_cast<unsigned>(res))) {
    fail("resolution " + std::to_string(res) + " is not a power of two from 8 to 1024");
  }
  if (net.channels < 1) fail("channels must be >= 1");
  schedule.final_level = std::countr_zero(static_cast<unsigned>(res));
  schedule.validate();
  const int group = net.mbstd_group_size;
  auto check_batch = [&](int batch, const std::string& where) {
    if (group > 1 && batch > group && batch % group != 0) {
      fail("batch size " + std::to_string(batch) + where + " is not a multiple of the minibatch-stddev group size " +
           std::to_string(group));
    }
  };
  check_batch(schedule.batch_default, "");
  for (const auto& [r, b] : schedule.batch_by_resolution) check_batch(b, " at " + std::to_string(r));
  if (!(adam.lr > 0)) fail("learning rate must be > 0");
  if (!(ema.half_life_kimg >= 0)) fail("EMA half-life must be >= 0 kimg");
  if (!(ema.rampup >= 0)) fail("EMA ramp-up must be >= 0");
  augment.validate();
  if (grid_count < 1) fail("grid count must be >= 1");
}

ProganTrainer::ProganTrainer(ProganTrainConfig config, data::Dataset reals, Communicator& communicator)
    : config_(std::move(config)), reals_(std::move(reals)), communicator_(communicator), options_{DType::f32, config_.device} {
  config_.validate();
  const ProganConfig& net = config_.net;
  if (reals_.empty()) throw std::invalid_argument("training data: no images");
  if (reals_.channels() != net.channels || reals_.height() != net.resolution || reals_.width() != net.resolution) {
    throw std::invalid_argument(fmt::format("training data: images are {}x{}x{} (CxHxW) but the networks expect {}x{}x{}",
                                            reals_.channels(), reals_.height(), reals_.width(), net.channels,
                                            net.resolution, net.resolution));
  }
  if (net.num_classes > 0 && reals_.num_classes() != net.num_classes) {
    throw std::invalid_argument(fmt::format("training data: {} classes but the networks have {} class outputs",
                                            reals_.num_classes(), net.num_classes));
  }

  Generator init(stream_seed(config_.seed, kInit));
  g_ = std::make_unique<ProganGenerator>(net, init, options_);
  d_ = std::make_unique<ProganDiscriminator>(net, init, options_);
  gs_ = std::make_unique<ProganGenerator>(net, init, options_);
  gs_->load_state_dict(g_->state_dict());  // Gs starts as a copy of G
  g_opt_ = std::make_unique<Adam>(g_->parameters(), config_.adam);
  d_opt_ = std::make_unique<Adam>(d_->parameters(), config_.adam);
  g_grads_ = std::make_unique<GradientAverager>(communicator_, g_->parameters());
  d_grads_ = std::make_unique<GradientAverager>(communicator_, d_->parameters());
  if (communicator_.size() > 1) {
    check_batches_split(config_, communicator_.size());
    // The same seed initialises the replicas alike; root's copy makes sure.
    broadcast_tensors(communicator_, g_->state_dict());
    broadcast_tensors(communicator_, d_->state_dict());
    broadcast_tensors(communicator_, gs_->state_dict());
  }

  latents_gen_.set_state(stream_seed(config_.seed, kLatents), 0);
  mixing_gen_.set_state(stream_seed(config_.seed, kMixing), 0);
  labels_gen_.set_state(stream_seed(config_.seed, kLabels), 0);
  augment_gen_.set_state(stream_seed(config_.seed, kAugment), 0);
  state_.augment_probability = config_.augment.probability;
  state_.data_seed = stream_seed(config_.seed, kData);
  state_.data_size = reals_.size();
  seek_data(0);

  // The grid's latents (and classes, cycling) are fixed for the whole run, so grids compare.
  Generator grid(stream_seed(config_.seed, kGrid));
  grid_latents_ = Tensor::randn({config_.grid_count, progan_latent_size(net)}, grid, options_);
  std::vector<int> grid_classes;
  if (net.num_classes > 0)
    for (int i = 0; i < config_.grid_count; ++i) grid_classes.push_back(i % net.num_classes);
  grid_labels_ = one_hot_labels(grid_classes);
}

TrainingState ProganTrainer::state() const {
  TrainingState s = state_;
  s.latents = {latents_gen_.seed(), latents_gen_.offset()};
  s.mixing = {mixing_gen_.seed(), mixing_gen_.offset()};
  s.labels = {labels_gen_.seed(), labels_gen_.offset()};
  s.augment = {augment_gen_.seed(), augment_gen_.offset()};
  return s;
}

void ProganTrainer::seek_data(std::uint64_t position) {
  // The shuffled epochs are a pure function of the seed, so replaying the draws restores them.
  sampler_ = std::make_unique<data::ShuffleSampler>(reals_.size(), state_.data_seed);
  for (std::uint64_t i = 0; i < position; ++i) sampler_->next();
  state_.data_position = position;
}

Tensor ProganTrainer::one_hot_labels(const std::vector<int>& labels) const {
  if (config_.net.num_classes == 0) return {};
  return one_hot(labels, config_.net.num_classes, options_);
}

RoundReport ProganTrainer::train_round() {
  RoundReport report;
  report.point = next_point();
  if (optimizer_reset_between(state_.previous_lod, report.point.lod)) {
    g_opt_->reset_state();
    d_opt_->reset_state();
    report.optimizers_reset = true;
  }
  state_.previous_lod = report.point.lod;
  for (int i = 0; i < config_.schedule.minibatch_repeats; ++i) {
    add(report.mean, iteration(report.point));
    ++report.iterations;
  }
  scale(report.mean, 1.0 / report.iterations);
  adapt_augment_probability(report);
  return report;
}

void ProganTrainer::adapt_augment_probability(const RoundReport& round) {
  state_.augment_probability = adapted_probability(state_.augment_probability, round.mean.real_sign,
                                                   round.iterations * round.point.batch, config_.augment);
}

BatchShare ProganTrainer::share_of(const SchedulePoint& point) const {
  return BatchShare(point.batch, config_.net.mbstd_group_size, communicator_.rank(), communicator_.size());
}

Critic ProganTrainer::critic(const SchedulePoint& point, const BatchShare& share) {
  if (!config_.augment.enabled()) return [this, point](const Tensor& x) { return d_->forward(x, point.level, point.alpha); };
  return [this, point, share](const Tensor& x) {
    // Drawn for the global batch (the streams advance alike on every rank), applied to this rank's rows.
    const TimeAugmentDraw all = draw_time_augment(share.global_batch(), static_cast<int>(x.size(3)),
                                                  state_.augment_probability, config_.augment, augment_gen_);
    const TimeAugmentDraw draw{share.rows(all.shifts), share.rows(all.cut_begin), share.rows(all.cut_width)};
    return d_->forward(time_augment(x, draw), point.level, point.alpha);
  };
}

void ProganTrainer::average_over_ranks(IterationLosses& x) {
  if (communicator_.size() == 1) return;
  std::vector<double> values{x.d_loss, x.g_loss, x.gradient_penalty, x.drift, x.real_score, x.fake_score,
                             x.d_label_loss, x.g_label_loss, x.real_sign};
  communicator_.all_reduce(values, ReduceOp::mean);
  x = {.d_loss = values[0], .g_loss = values[1], .gradient_penalty = values[2], .drift = values[3],
       .real_score = values[4], .fake_score = values[5], .d_label_loss = values[6], .g_label_loss = values[7],
       .real_sign = values[8]};
}

IterationLosses ProganTrainer::iteration(const SchedulePoint& point) {
  IterationLosses losses = discriminator_step(point);
  update_ema(point);
  const IterationLosses g = generator_step(point);
  losses.g_loss = g.g_loss;
  losses.g_label_loss = g.g_label_loss;
  ++state_.step;
  state_.images_shown += point.batch;
  return losses;
}

namespace {

void check_finite(double value, const char* what, const TrainingState& state, const SchedulePoint& point) {
  if (std::isfinite(value)) return;
  throw TrainingDiverged(fmt::format("{} is {} at step {} (kimg {:.3f}, {}x{} {}, alpha {:.3f})", what, value,
                                     state.step + 1, state.kimg(), point.resolution, point.resolution,
                                     phase_name(point.phase), point.alpha));
}

}  // namespace

IterationLosses ProganTrainer::discriminator_step(const SchedulePoint& point) {
  const BatchShare share = share_of(point);
  std::vector<std::size_t> drawn(static_cast<std::size_t>(point.batch));
  for (std::size_t& i : drawn) i = sampler_->next();
  state_.data_position += drawn.size();
  const std::vector<std::size_t> indices = share.rows(drawn);
  std::vector<int> labels;
  if (config_.net.num_classes > 0)
    for (std::size_t i : indices) labels.push_back(reals_.label(i));

  const Tensor reals = process_reals(reals_.images(indices).to(config_.device), point.level, point.alpha);
  Tensor fakes;
  {
    NoGrad no_grad;  // the D step does not train G
    const Tensor latents = share.rows(Tensor::randn({point.batch, progan_latent_size(config_.net)}, latents_gen_, options_));
    fakes = g_->forward(latents, one_hot_labels(labels), point.level, point.alpha);
  }
  const Tensor mixing = share.rows(Tensor::rand({point.batch, 1, 1, 1}, mixing_gen_, options_));
  const DiscriminatorLoss loss = discriminator_loss(critic(point, share), reals, fakes, mixing, labels, config_.loss);

  IterationLosses out;
  out.d_loss = loss.loss.item();
  out.gradient_penalty = loss.gradient_penalty;
  out.drift = loss.drift;
  out.real_score = loss.real_score;
  out.fake_score = loss.fake_score;
  out.d_label_loss = loss.label_loss;
  out.real_sign = loss.real_sign;
  average_over_ranks(out);  // so every rank sees the same loss, and stops alike on NaN
  check_finite(out.d_loss, "the discriminator loss", state_, point);

  d_opt_->zero_grad();
  loss.loss.backward();
  d_grads_->average();
  d_opt_->step();
  return out;
}

IterationLosses ProganTrainer::generator_step(const SchedulePoint& point) {
  const BatchShare share = share_of(point);
  // Conditional: classes drawn like the official get_random_labels_tf, i.e. with the data's frequencies.
  std::vector<int> drawn;
  if (config_.net.num_classes > 0)
    for (int i = 0; i < point.batch; ++i) drawn.push_back(reals_.label(data::uniform_below(labels_gen_, reals_.size())));
  const std::vector<int> labels = drawn.empty() ? drawn : share.rows(drawn);  // empty: unconditional
  const Tensor latents = share.rows(Tensor::randn({point.batch, progan_latent_size(config_.net)}, latents_gen_, options_));

  FrozenParameters frozen(d_->parameters());
  const Tensor fakes = g_->forward(latents, one_hot_labels(labels), point.level, point.alpha);
  const GeneratorLoss loss = generator_loss(critic(point, share), fakes, labels, config_.loss);
  IterationLosses out;
  out.g_loss = loss.loss.item();
  out.g_label_loss = loss.label_loss;
  average_over_ranks(out);
  check_finite(out.g_loss, "the generator loss", state_, point);

  g_opt_->zero_grad();
  loss.loss.backward();
  g_grads_->average();
  g_opt_->step();
  return out;
}

void ProganTrainer::update_ema(const SchedulePoint& point) {
  NoGrad no_grad;
  // The images of this step count: the first step already averages over one batch.
  std::int64_t images = state_.images_shown + point.batch;
  if (config_.ema.rampup_per_level) {
    const auto level_start = std::llround(level_start_kimg(config_.schedule, point.level) * 1000);
    images = std::max<std::int64_t>(images - level_start, point.batch);
  }
  const double beta = ema_beta(config_.ema, images, point.batch);
  const auto g = g_->named_parameters(), gs = gs_->named_parameters();
  for (std::size_t i = 0; i < g.size(); ++i) gs[i].second.assign(lerp(g[i].second, gs[i].second, beta));
}

Tensor ProganTrainer::grid_samples(const SchedulePoint& point) {
  NoGrad no_grad;
  return gs_->forward(grid_latents_, grid_labels_, point.level, point.alpha);
}

TensorMap ProganTrainer::tensors() const {
  TensorMap out;
  insert_prefixed(out, "G.", g_->state_dict());
  insert_prefixed(out, "D.", d_->state_dict());
  insert_prefixed(out, "Gs.", gs_->state_dict());
  insert_prefixed(out, "", g_opt_->state_dict("G_opt."));
  insert_prefixed(out, "", d_opt_->state_dict("D_opt."));
  return out;
}

void ProganTrainer::restore(const TensorMap& tensors, const TrainingState& state) {
  if (state.data_size != reals_.size()) {
    throw std::invalid_argument(fmt::format("the run was trained on {} images but this data set has {}",
                                            state.data_size, reals_.size()));
  }
  g_->load_state_dict(with_prefix_removed(tensors, "G."));
  d_->load_state_dict(with_prefix_removed(tensors, "D."));
  gs_->load_state_dict(with_prefix_removed(tensors, "Gs."));
  g_opt_->load_state_dict(tensors, "G_opt.");
  d_opt_->load_state_dict(tensors, "D_opt.");
  state_ = state;
  latents_gen_.set_state(state.latents.seed, state.latents.offset);
  mixing_gen_.set_state(state.mixing.seed, state.mixing.offset);
  labels_gen_.set_state(state.labels.seed, state.labels.offset);
  augment_gen_.set_state(state.augment.seed, state.augment.offset);
  seek_data(state.data_position);
}

}  // namespace gg::nets

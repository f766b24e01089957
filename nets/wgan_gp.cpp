#include "nets/wgan_gp.h"

#include <stdexcept>

namespace gg::nets {

namespace {

Tensor scores_of(const Tensor& out) { return slice(out, 1, 0, 1).reshape({out.size(0)}); }

Tensor class_logits_of(const Tensor& out) { return slice(out, 1, 1, out.size(1)); }

void check_labels(const Tensor& out, const std::vector<int>& labels) {
  const bool conditional = out.size(1) > 1;
  if (conditional && static_cast<std::int64_t>(labels.size()) != out.size(0)) {
    throw std::invalid_argument("WGAN-GP: a conditional critic needs one label per image");
  }
  if (!conditional && !labels.empty()) {
    throw std::invalid_argument("WGAN-GP: labels given but the critic has no class outputs");
  }
}

}  // namespace

Tensor gradient_penalty(const Critic& critic, const Tensor& reals, const Tensor& fakes, const Tensor& mixing,
                        double target) {
  // x_hat is a leaf of its own: the penalty differentiates D with respect to it, not to G.
  Tensor mixed = lerp(reals.detach(), fakes.detach(), mixing).detach();
  mixed.set_requires_grad(true);
  const Tensor mixed_scores = scores_of(critic(mixed));
  const Tensor grads = grad({sum(mixed_scores)}, {mixed}, {}, {.create_graph = true})[0];
  const Tensor norms = sqrt(sum(square(grads), {1, 2, 3}));
  return square(norms - target);
}

DiscriminatorLoss discriminator_loss(const Critic& critic, const Tensor& reals, const Tensor& fakes,
                                     const Tensor& mixing, const std::vector<int>& labels,
                                     const WganGpOptions& options) {
  if (fakes.requires_grad()) throw std::invalid_argument("WGAN-GP: the D step's fakes must be detached from G");
  const Tensor real_out = critic(reals);
  const Tensor fake_out = critic(fakes);
  check_labels(real_out, labels);
  const Tensor real_scores = scores_of(real_out), fake_scores = scores_of(fake_out);
  const Tensor penalty = gradient_penalty(critic, reals, fakes, mixing, options.target);
  const Tensor drift = square(real_scores);

  const double penalty_weight = options.lambda / (options.target * options.target);
  Tensor loss = mean(fake_scores - real_scores + penalty * penalty_weight + drift * options.drift);
  DiscriminatorLoss out;
  if (!labels.empty()) {
    Tensor label_loss = cross_entropy(class_logits_of(real_out), labels);
    if (options.classify_fakes) label_loss = label_loss + cross_entropy(class_logits_of(fake_out), labels);
    loss = loss + label_loss * options.cond_weight;
    out.label_loss = label_loss.item();
  }
  out.loss = loss;
  out.real_score = mean(real_scores).item();
  double signs = 0;
  for (double score : real_scores.detach().to(DType::f64).to_vector<double>()) signs += (score > 0) - (score < 0);
  out.real_sign = signs / static_cast<double>(real_scores.size(0));
  out.fake_score = mean(fake_scores).item();
  out.gradient_penalty = mean(penalty).item();
  out.drift = mean(drift).item();
  return out;
}

GeneratorLoss generator_loss(const Critic& critic, const Tensor& fakes, const std::vector<int>& labels,
                             const WganGpOptions& options) {
  const Tensor fake_out = critic(fakes);
  check_labels(fake_out, labels);
  const Tensor fake_scores = scores_of(fake_out);
  Tensor loss = -mean(fake_scores);
  GeneratorLoss out;
  if (!labels.empty()) {
    const Tensor label_loss = cross_entropy(class_logits_of(fake_out), labels);
    loss = loss + label_loss * options.cond_weight;
    out.label_loss = label_loss.item();
  }
  out.loss = loss;
  out.fake_score = mean(fake_scores).item();
  return out;
}

}  // namespace gg::nets

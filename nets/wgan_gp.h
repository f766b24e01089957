#pragma once
// The WGAN-GP losses exactly as ProGAN's official loss.py (D_wgangp_acgan, G_wgan_acgan):
//
//   D loss = mean_i[ D(fake_i) - D(real_i)
//                    + lambda / target^2 * (||grad_x D(x_hat_i)||_2 - target)^2
//                    + drift * D(real_i)^2 ]
//            (+ cond_weight * [CE(real labels) + CE(fake labels)] when conditional; the fake
//               term only with classify_fakes)
//   G loss = mean_i[ -D(fake_i) ]  (+ cond_weight * CE(fake labels) when conditional)
//
// with x_hat_i = lerp(real_i, fake_i, u_i), one u_i ~ U[0, 1) per sample. The penalty's gradient
// is taken with create_graph, so D loss's backward reaches D's weights through a true double
// backward (a penalty whose inner gradient were detached would not train anything).
#include <functional>
#include <vector>

#include "engine/ops.h"

namespace gg::nets {

struct WganGpOptions {
  double lambda = 10.0;        // wgan_lambda: weight of the gradient penalty
  double target = 1.0;         // wgan_target: the gradient norm the penalty pulls towards
  double drift = 0.001;        // wgan_epsilon: keeps D(real) near zero
  double cond_weight = 1.0;    // weight of the auxiliary classification terms
  // D's class head also learns the labels the fakes were generated with (the official AC-GAN
  // loss). false: it learns from reals only, so G is pulled towards what tells real classes apart
  // rather than towards what D has learnt of G's own, still classless, early images.
  bool classify_fakes = true;
};

// A critic maps images (N, C, H, W) to (N, 1 + classes): column 0 is the Wasserstein score, the
// remaining columns (conditional mode) are class logits.
using Critic = std::function<Tensor(const Tensor& images)>;

struct DiscriminatorLoss {
  Tensor loss;  // scalar; backward() fills D's parameter gradients
  // Batch means, for logs.
  double real_score = 0;
  double fake_score = 0;
  double gradient_penalty = 0;  // mean of (||grad|| - target)^2, before lambda / target^2
  double drift = 0;             // mean of D(real)^2, before the drift weight
  double label_loss = 0;        // CE(real) + CE(fake); 0 when unconditional
  double real_sign = 0;         // mean sign(D(real)): ADA's overfitting signal
};

struct GeneratorLoss {
  Tensor loss;  // scalar; backward() fills G's parameter gradients
  double fake_score = 0;
  double label_loss = 0;  // CE(fake); 0 when unconditional
};

// Per-sample penalty (||grad_x D(x_hat)||_2 - target)^2, shape (N), differentiable with respect to
// D's parameters. `mixing` holds the u_i, shape (N, 1, 1, 1).
Tensor gradient_penalty(const Critic& critic, const Tensor& reals, const Tensor& fakes, const Tensor& mixing,
                        double target);

// `fakes` must not require grad (the D step does not train G). `labels` are the reals' classes,
// with which the fakes were generated; empty when unconditional.
DiscriminatorLoss discriminator_loss(const Critic& critic, const Tensor& reals, const Tensor& fakes,
                                     const Tensor& mixing, const std::vector<int>& labels,
                                     const WganGpOptions& options = {});

// `fakes` carry G's graph; `labels` are the classes they were generated with (empty: unconditional).
GeneratorLoss generator_loss(const Critic& critic, const Tensor& fakes, const std::vector<int>& labels,
                             const WganGpOptions& options = {});

}  // namespace gg::nets

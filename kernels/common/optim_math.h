#pragma once
// Per-element optimizer updates, written once for the CPU loops and the CUDA kernels.
#include <cmath>

#include "kernels/common/host_device.h"

namespace gg {

struct SgdHyper {
  double lr, momentum, weight_decay;
  bool nesterov;
  bool first_step;  // momentum buffer starts as the first gradient (as in PyTorch)
};

template <typename T>
GG_HD void sgd_update(T& param, T grad, T& momentum_buf, const SgdHyper& h) {
  T g = grad + static_cast<T>(h.weight_decay) * param;
  if (h.momentum != 0) {
    momentum_buf = h.first_step ? g : static_cast<T>(h.momentum) * momentum_buf + g;
    g = h.nesterov ? g + static_cast<T>(h.momentum) * momentum_buf : momentum_buf;
  }
  param -= static_cast<T>(h.lr) * g;
}

struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;  // AdamW: decay the weights directly instead of adding to the gradient
  double bias_correction1, bias_correction2;  // 1 - beta^t for the current step t
};

template <typename T>
GG_HD void adam_update(T& param, T grad, T& m, T& v, const AdamHyper& h) {
  if (h.decoupled)
    param -= static_cast<T>(h.lr * h.weight_decay) * param;
  else
    grad += static_cast<T>(h.weight_decay) * param;
  m = static_cast<T>(h.beta1) * m + static_cast<T>(1 - h.beta1) * grad;
  v = static_cast<T>(h.beta2) * v + static_cast<T>(1 - h.beta2) * grad * grad;
  const T m_hat = m / static_cast<T>(h.bias_correction1);
  const T v_hat = v / static_cast<T>(h.bias_correction2);
  param -= static_cast<T>(h.lr) * m_hat / (std::sqrt(v_hat) + static_cast<T>(h.eps));
}

}  // namespace gg

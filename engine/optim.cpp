#include "engine/optim.h"

#include <cmath>
#include <stdexcept>

#include "engine/autograd.h"
#include "engine/backend.h"

namespace gg {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)), state_(params_.size()) {
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (!params_[i].requires_grad() || !params_[i].is_leaf())
      throw std::invalid_argument("optimizer: parameter " + std::to_string(i) + " is not a leaf that requires grad");
}

void Optimizer::zero_grad() const {
  for (const Tensor& p : params_) p.zero_grad();
}

Tensor& Optimizer::slot(std::size_t param, const std::string& name) {
  Tensor& t = state_[param][name];
  if (!t.defined()) t = Tensor::zeros(params_[param].shape(), params_[param].options());
  return t;
}

bool Optimizer::has_slot(std::size_t param, const std::string& name) const { return state_[param].count(name) > 0; }

void Optimizer::reset_state() {
  for (TensorMap& s : state_) s.clear();
  steps_ = 0;
}

TensorMap Optimizer::state_dict(const std::string& prefix) const {
  TensorMap out;
  out[prefix + "step"] = Tensor::scalar(static_cast<double>(steps_), {DType::f64, Device::cpu()});
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (const auto& [name, t] : state_[i]) out[prefix + std::to_string(i) + "." + name] = t;
  return out;
}

void Optimizer::load_state_dict(const TensorMap& state, const std::string& prefix) {
  auto step = state.find(prefix + "step");
  if (step == state.end()) throw std::invalid_argument("optimizer state: missing '" + prefix + "step'");
  std::vector<TensorMap> loaded(params_.size());
  for (const auto& [key, t] : state) {
    if (key.rfind(prefix, 0) != 0 || key == prefix + "step") continue;
    const std::string rest = key.substr(prefix.size());
    const std::size_t dot = rest.find('.');
    std::size_t index = 0;
    try {
      index = std::stoul(rest.substr(0, dot));
    } catch (const std::exception&) {
      throw std::invalid_argument("optimizer state: cannot parse parameter index in '" + key + "'");
    }
    if (dot == std::string::npos || index >= params_.size())
      throw std::invalid_argument("optimizer state: '" + key + "' names no parameter of this optimizer (" +
                                  std::to_string(params_.size()) + " parameters)");
    const Tensor& p = params_[index];
    if (t.shape() != p.shape() || t.dtype() != p.dtype())
      throw std::invalid_argument("optimizer state: '" + key + "' is " + shape_str(t.shape()) + " " +
                                  dtype_name(t.dtype()) + " but parameter " + std::to_string(index) + " is " +
                                  shape_str(p.shape()) + " " + dtype_name(p.dtype()));
    loaded[index][rest.substr(dot + 1)] = t.to(p.device()).clone().detach();
  }
  state_ = std::move(loaded);
  steps_ = static_cast<std::int64_t>(step->second.item());
}

SGD::SGD(std::vector<Tensor> params, SgdOptions options) : Optimizer(std::move(params)), options_(options) {
  lr_ = options.lr;
}

void SGD::step() {
  NoGrad no_grad;
  ++steps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    Tensor buf;
    bool first = false;
    if (options_.momentum != 0) {
      first = !has_slot(i, "momentum_buffer");
      buf = slot(i, "momentum_buffer");
    }
    const SgdHyper h{lr_, options_.momentum, options_.weight_decay, options_.nesterov, first};
    backend_for(params_[i].device()).sgd_step(params_[i], g, buf, h);
  }
}

Adam::Adam(std::vector<Tensor> params, AdamOptions options) : Optimizer(std::move(params)), options_(options) {
  lr_ = options.lr;
}

void Adam::step() {
  NoGrad no_grad;
  ++steps_;
  const double t = static_cast<double>(steps_);
  const AdamHyper h{lr_, options_.beta1, options_.beta2, options_.eps, options_.weight_decay,
                    options_.decoupled_weight_decay, 1 - std::pow(options_.beta1, t), 1 - std::pow(options_.beta2, t)};
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    backend_for(params_[i].device()).adam_step(params_[i], g, slot(i, "exp_avg"), slot(i, "exp_avg_sq"), h);
  }
}

StepLR::StepLR(Optimizer& optimizer, int step_size, double gamma)
    : optimizer_(optimizer), step_size_(step_size), gamma_(gamma), base_lr_(optimizer.learning_rate()) {
  if (step_size < 1) throw std::invalid_argument("StepLR: step_size must be >= 1");
}

void StepLR::step() {
  ++epoch_;
  optimizer_.set_learning_rate(base_lr_ * std::pow(gamma_, epoch_ / step_size_));
}

}  // namespace gg

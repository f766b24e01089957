#pragma once
// Optimizers over a list of parameters, each update one fused kernel per tensor, and a step
// learning-rate schedule. Their state exports to a TensorMap so checkpoints can hold it.
#include <cstdint>
#include <vector>

#include "engine/tensor.h"

namespace gg {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;
  // Applies one update from the parameters' accumulated .grad (parameters without one are skipped).
  virtual void step() = 0;
  void zero_grad() const;

  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) { lr_ = lr; }
  std::int64_t steps() const { return steps_; }

  // State as "<prefix>step" and "<prefix><i>.<slot>" for parameter i; load checks every shape.
  TensorMap state_dict(const std::string& prefix = "optim.") const;
  void load_state_dict(const TensorMap& state, const std::string& prefix = "optim.");
  // Forgets all moments and the step count (ProGAN resets Adam when the resolution grows).
  void reset_state();

 protected:
  // Per-parameter state slots (e.g. "exp_avg"), allocated zeroed on first use.
  Tensor& slot(std::size_t param, const std::string& name);
  bool has_slot(std::size_t param, const std::string& name) const;

  std::vector<Tensor> params_;
  double lr_ = 1e-3;
  std::int64_t steps_ = 0;

 private:
  std::vector<TensorMap> state_;
};

struct SgdOptions {
  double lr = 1e-2;
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
};

class SGD final : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SgdOptions options);
  void step() override;

 private:
  SgdOptions options_;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool decoupled_weight_decay = false;  // true: AdamW
};

class Adam final : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options);
  void step() override;

 private:
  AdamOptions options_;
};

// AdamW (Loshchilov & Hutter): Adam with weight decay applied to the weights directly.
inline Adam AdamW(std::vector<Tensor> params, AdamOptions options) {
  options.decoupled_weight_decay = true;
  return Adam(std::move(params), options);
}

// Multiplies the learning rate by gamma every step_size calls of step() (once per epoch).
class StepLR {
 public:
  StepLR(Optimizer& optimizer, int step_size, double gamma);
  void step();
  int epoch() const { return epoch_; }

 private:
  Optimizer& optimizer_;
  int step_size_;
  double gamma_;
  double base_lr_;
  int epoch_ = 0;
};

}  // namespace gg

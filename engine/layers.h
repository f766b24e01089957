#pragma once
// The common layers as Modules: parameters plus a forward that calls the functional ops.
#include "engine/module.h"
#include "engine/ops.h"

namespace gg {

// Weights and biases drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default.
class Linear : public Module {
 public:
  Linear(std::int64_t in, std::int64_t out, Generator& gen, TensorOptions opt = {}, bool bias = true);
  Tensor forward(const Tensor& x) const { return linear(x, weight, bias); }
  Tensor weight;  // (out, in)
  Tensor bias;    // (out) or undefined
};

class Conv2d : public Module {
 public:
  Conv2d(std::int64_t in, std::int64_t out, int kernel, Generator& gen, Conv2dOptions conv = {},
         TensorOptions opt = {}, bool bias = true);
  Tensor forward(const Tensor& x) const { return conv2d(x, weight, bias, options); }
  Tensor weight;  // (out, in, k, k)
  Tensor bias;    // (out) or undefined
  Conv2dOptions options;
};

class BatchNorm : public Module {
 public:
  explicit BatchNorm(std::int64_t channels, TensorOptions opt = {}, double momentum = 0.1, double eps = 1e-5);
  Tensor forward(const Tensor& x) { return batch_norm(x, gamma, beta, state, is_training()); }
  // relu(forward(x)), fused.
  Tensor forward_relu(const Tensor& x) { return batch_norm_relu(x, gamma, beta, state, is_training()); }
  Tensor gamma, beta;
  BatchNormState state;
};

}  // namespace gg

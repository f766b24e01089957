#include "engine/layers.h"

#include <cmath>

namespace gg {

namespace {

Tensor uniform_init(const Shape& shape, std::int64_t fan_in, Generator& gen, TensorOptions opt) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return Tensor::rand(shape, gen, opt, -bound, bound);
}

}  // namespace

Linear::Linear(std::int64_t in, std::int64_t out, Generator& gen, TensorOptions opt, bool with_bias) {
  weight = register_parameter("weight", uniform_init({out, in}, in, gen, opt));
  if (with_bias) bias = register_parameter("bias", uniform_init({out}, in, gen, opt));
}

Conv2d::Conv2d(std::int64_t in, std::int64_t out, int kernel, Generator& gen, Conv2dOptions conv, TensorOptions opt,
               bool with_bias)
    : options(conv) {
  const std::int64_t fan_in = in * kernel * kernel;
  weight = register_parameter("weight", uniform_init({out, in, kernel, kernel}, fan_in, gen, opt));
  if (with_bias) bias = register_parameter("bias", uniform_init({out}, fan_in, gen, opt));
}

BatchNorm::BatchNorm(std::int64_t channels, TensorOptions opt, double momentum, double eps) {
  gamma = register_parameter("weight", Tensor::ones({channels}, opt));
  beta = register_parameter("bias", Tensor::zeros({channels}, opt));
  state.running_mean = register_buffer("running_mean", Tensor::zeros({channels}, opt));
  state.running_var = register_buffer("running_var", Tensor::ones({channels}, opt));
  state.momentum = momentum;
  state.eps = eps;
}

}  // namespace gg

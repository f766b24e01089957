// Batch norm (+ ReLU): in training one fused kernel forward and one backward (engine/backend.h,
// kernels/cpu/batch_norm.cpp); in evaluation the running statistics folded into a scale and a
// shift, applied by one kernel unless a graph is recorded. The fused backward serves a plain
// backward pass; a recorded one (grad with create_graph) computes the same gradients from
// differentiable ops, so they can be differentiated again, as ops_progan.cpp does for pixel norm.
// unfused::batch_norm is the composition that defines the op.
#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

namespace {

// A per-channel tensor's shape against x, (1, C) or (1, C, 1, 1), and the dims a channel spans.
struct ChannelView {
  Shape shape;
  std::vector<int> dims;
};

ChannelView channel_view(const Tensor& x) {
  const std::int64_t c = x.size(1);
  if (x.dim() == 4) return {{1, c, 1, 1}, {0, 2, 3}};
  return {{1, c}, {0}};
}

void check_args(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta, const BatchNormState& state) {
  detail::check_defined(op, x, "input");
  if (x.dim() != 2 && x.dim() != 4) detail::fail(op, "input must be (N, C) or (N, C, H, W), got " + shape_str(x.shape()));
  const std::int64_t c = x.size(1);
  for (const Tensor* t : {&gamma, &beta, &state.running_mean, &state.running_var}) {
    if (!t->defined() || t->shape() != Shape{c})
      detail::fail(op, "gamma, beta and running statistics must have shape (" + std::to_string(c) + ",)");
    detail::check_compatible(op, x, *t);
  }
}

// Values per channel; training needs two or more for a variance.
std::int64_t training_count(const char* op, const Tensor& x) {
  const std::int64_t count = x.numel() / x.size(1);
  if (count < 2) detail::fail(op, "training needs more than one value per channel, got " + shape_str(x.shape()));
  return count;
}

// Evaluation: the running statistics folded into one scale and shift per channel, applied by the
// composed ops (mul, add, relu) when a graph is recorded or `composed` asks for them, else by one
// kernel that rounds as they do, so both give the same bits.
Tensor normalize_with_running(const Tensor& x, const Tensor& gamma, const Tensor& beta, const BatchNormState& state,
                              bool with_relu, bool composed) {
  const Shape channel = channel_view(x).shape;
  const Tensor scale = mul(gamma.reshape(channel), rsqrt(add(state.running_var.reshape(channel), state.eps)));
  const Tensor shift = sub(beta.reshape(channel), mul(state.running_mean.reshape(channel), scale));
  if (composed || records_graph({x, gamma, beta})) {
    const Tensor y = add(mul(x, scale), shift);
    return with_relu ? relu(y) : y;
  }
  Tensor y = Tensor::empty(x.shape(), x.options());
  be(x).batch_norm_inference(x, scale, shift, y, with_relu);  // scale, shift: C contiguous values each
  return y;
}

// The running statistics move towards the batch's mean and variance (C) by the momentum; the
// variance is made unbiased, count / (count - 1), as PyTorch does.
void update_running(BatchNormState& state, const Tensor& mean, const Tensor& biased_var, std::int64_t count) {
  NoGrad no_grad;
  const double m = state.momentum;
  const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
  state.running_mean.assign(add(mul(state.running_mean, 1 - m), mul(mean.detach(), m)));
  state.running_var.assign(add(mul(state.running_var, 1 - m), mul(biased_var.detach(), m * unbias)));
}

// The gradients of x, gamma and beta from differentiable ops. The statistics are recomputed from x
// so that their own dependence on x is differentiated too; the ReLU's mask, read from the output
// (undefined without a ReLU), is a constant of the backward.
Grads backward_ops(Node& n, const Tensor& x, const Tensor& gamma, const Tensor& gy, const Tensor& output, double eps) {
  const ChannelView v = channel_view(x);
  const Tensor centered = sub(x, mean(x, v.dims, true));
  const Tensor r = rsqrt(add(mean(square(centered), v.dims, true), eps));  // (1, C[, 1, 1])
  const Tensor xhat = mul(centered, r);
  const Tensor g = output.defined() ? mul(gy, detail::unary_constant(UnaryOp::step, output)) : gy;
  Tensor gx;
  if (n.needs_grad(0)) {
    // gamma r (g - mean(g) - xhat mean(g xhat))
    const Tensor gxhat = mul(g, gamma.reshape(v.shape));
    gx = mul(r, sub(sub(gxhat, mean(gxhat, v.dims, true)), mul(xhat, mean(mul(gxhat, xhat), v.dims, true))));
  }
  return {gx, n.needs_grad(1) ? sum(mul(g, xhat), v.dims) : Tensor(), n.needs_grad(2) ? sum(g, v.dims) : Tensor()};
}

Tensor fused_training(const char* op, const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state,
                      bool relu) {
  const std::int64_t count = training_count(op, x);
  // The statistics in double (kernels/common/batch_norm_math.h), rounded to x's dtype for the
  // running ones as the composition's are.
  const Shape channels{x.size(1)};
  const TensorOptions stats{DType::f64, x.device()};
  Tensor y = Tensor::empty(x.shape(), x.options());
  Tensor mu = Tensor::empty(channels, stats), var = Tensor::empty(channels, stats), invstd = Tensor::empty(channels, stats);
  be(x).batch_norm_forward(x.detach(), gamma.detach(), beta.detach(), y, mu, var, invstd, state.eps, relu);
  update_running(state, mu.to(x.dtype()), var.to(x.dtype()), count);
  return record(op, y, {x, gamma, beta}, [eps = state.eps, relu](Node& n, const Tensor& gy) {
    const Tensor &x = n.saved[0], &gamma = n.saved[1], &beta = n.saved[2];
    if (GradMode::enabled()) return backward_ops(n, x, gamma, gy, relu ? n.saved_output() : Tensor(), eps);
    Tensor gx = Tensor::empty(x.shape(), x.options());
    Tensor ggamma = Tensor::empty(gamma.shape(), x.options()), gbeta = Tensor::empty(gamma.shape(), x.options());
    be(x).batch_norm_backward(x.detach(), gy.detach(), gamma.detach(), beta.detach(), n.saved[3], n.saved[4], gx, ggamma,
                              gbeta, relu);
    return Grads{gx, ggamma, gbeta};
  }, {x, gamma, beta, mu, invstd}, relu);
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state, bool training) {
  check_args("batch_norm", x, gamma, beta, state);
  if (!training) return normalize_with_running(x, gamma, beta, state, /*with_relu=*/false, /*composed=*/false);
  return fused_training("batch_norm", x, gamma, beta, state, false);
}

Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state, bool training) {
  check_args("batch_norm_relu", x, gamma, beta, state);
  if (!training) return normalize_with_running(x, gamma, beta, state, /*with_relu=*/true, /*composed=*/false);
  return fused_training("batch_norm_relu", x, gamma, beta, state, true);
}

namespace unfused {

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, BatchNormState& state, bool training) {
  const char* op = "unfused::batch_norm";
  check_args(op, x, gamma, beta, state);
  if (!training) return normalize_with_running(x, gamma, beta, state, /*with_relu=*/false, /*composed=*/true);
  const std::int64_t count = training_count(op, x);
  const ChannelView v = channel_view(x);
  const Tensor mu = mean(x, v.dims, true);
  const Tensor centered = sub(x, mu);
  const Tensor var = mean(square(centered), v.dims, true);
  const Tensor y = add(mul(mul(centered, rsqrt(add(var, state.eps))), gamma.reshape(v.shape)), beta.reshape(v.shape));
  update_running(state, mu.detach().reshape({x.size(1)}), var.detach().reshape({x.size(1)}), count);
  return y;
}

}  // namespace unfused

}  // namespace gg

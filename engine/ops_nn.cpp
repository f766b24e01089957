// Layers and losses: dropout, log-softmax, cross-entropy, MSE (batch norm: engine/ops_batch_norm.cpp).
#include <stdexcept>

#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  detail::check_defined("dropout", x, "input");
  if (p < 0 || p >= 1) detail::fail("dropout", "probability " + std::to_string(p) + " must be in [0, 1)");
  if (!training || p == 0) return x;
  Tensor mask = Tensor::empty(x.shape(), x.options());
  be(x).dropout_mask(mask, gen.seed(), gen.take(static_cast<std::uint64_t>(x.numel())), p);
  return mul(x, mask);
}

Tensor log_softmax(const Tensor& logits) {
  detail::check_rank("log_softmax", logits, 2, "logits");
  Tensor y = Tensor::empty(logits.shape(), logits.options());
  be(logits).log_softmax(logits, y);
  // dx = g - softmax(x) * sum_j g_j, with softmax = exp(y).
  return record("log_softmax", y, {logits}, [](Node& n, const Tensor& g) {
    return Grads{sub(g, mul(exp(n.saved_output()), sum(g, {1}, true)))};
  }, {}, true);
}

Tensor one_hot(const std::vector<int>& labels, int classes, TensorOptions opt) {
  std::vector<double> v(labels.size() * static_cast<std::size_t>(classes), 0.0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes)
      throw std::invalid_argument("one_hot: label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                                  " is outside [0, " + std::to_string(classes) + ")");
    v[i * static_cast<std::size_t>(classes) + static_cast<std::size_t>(labels[i])] = 1.0;
  }
  return Tensor::from_vector(v, {static_cast<std::int64_t>(labels.size()), classes}).to(opt.dtype).to(opt.device);
}

Tensor cross_entropy(const Tensor& logits, const std::vector<int>& labels, const std::vector<double>& class_weights) {
  detail::check_rank("cross_entropy", logits, 2, "logits");
  const auto n = static_cast<std::size_t>(logits.size(0));
  const int classes = static_cast<int>(logits.size(1));
  if (labels.size() != n)
    detail::fail("cross_entropy", std::to_string(labels.size()) + " labels for " + std::to_string(n) + " rows of logits");
  if (!class_weights.empty() && class_weights.size() != static_cast<std::size_t>(classes))
    detail::fail("cross_entropy", std::to_string(class_weights.size()) + " class weights for " + std::to_string(classes) + " classes");
  // Weighted one-hot targets; the loss is their weighted mean (PyTorch's convention).
  Tensor target = one_hot(labels, classes, {DType::f64, Device::cpu()});
  double total_weight = static_cast<double>(n);
  if (!class_weights.empty()) {
    double* t = target.data<double>();
    total_weight = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double w = class_weights[static_cast<std::size_t>(labels[i])];
      t[i * static_cast<std::size_t>(classes) + static_cast<std::size_t>(labels[i])] = w;
      total_weight += w;
    }
  }
  target = target.to(logits.dtype()).to(logits.device());
  return mul(sum(mul(log_softmax(logits), target)), -1.0 / total_weight);
}

Tensor mse_loss(const Tensor& prediction, const Tensor& target) {
  detail::check_compatible("mse_loss", prediction, target);
  if (prediction.shape() != target.shape())
    detail::fail("mse_loss", "prediction " + shape_str(prediction.shape()) + " and target " + shape_str(target.shape()) + " differ");
  return mean(square(sub(prediction, target)));
}

std::vector<int> argmax_rows(const Tensor& x) {
  detail::check_rank("argmax_rows", x, 2, "input");
  const std::vector<double> v = x.to_vector<double>();
  const auto rows = static_cast<std::size_t>(x.size(0)), cols = static_cast<std::size_t>(x.size(1));
  std::vector<int> out(rows, 0);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 1; c < cols; ++c)
      if (v[r * cols + c] > v[r * cols + static_cast<std::size_t>(out[r])]) out[r] = static_cast<int>(c);
  return out;
}

}  // namespace gg

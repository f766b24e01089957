#include "nets/tiny_cnn.h"

#include <stdexcept>

namespace gg::nets {

TinyCnn::TinyCnn(int image_size, int classes, Generator& init, TensorOptions opt, double dropout_p)
    : dropout_p_(dropout_p) {
  if (image_size % 4 != 0) throw std::invalid_argument("TinyCnn: image size must be a multiple of 4");
  conv1_ = register_module("conv1", std::make_shared<Conv2d>(1, 8, 3, init, Conv2dOptions{1, 1}, opt));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(8, opt));
  conv2_ = register_module("conv2", std::make_shared<Conv2d>(8, 16, 3, init, Conv2dOptions{1, 1}, opt));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm>(16, opt));
  const std::int64_t features = 16 * (image_size / 4) * (image_size / 4);
  head_ = register_module("head", std::make_shared<Linear>(features, classes, init, opt));
}

Tensor TinyCnn::forward(const Tensor& x, Generator& dropout_gen) {
  Tensor h = max_pool2x2(relu(bn1_->forward(conv1_->forward(x))));  // (N, 8, S/2, S/2)
  h = avg_pool2x2(relu(bn2_->forward(conv2_->forward(h))));          // (N, 16, S/4, S/4)
  h = dropout(h.flatten(1), dropout_p_, is_training(), dropout_gen);
  return head_->forward(h);
}

}  // namespace gg::nets

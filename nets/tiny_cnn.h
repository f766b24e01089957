#pragma once
// A small CNN for the engine demo and tests: two conv-BN-ReLU-pool blocks and a linear head.
//   (N, 1, S, S) -> conv3x3(8) -> BN -> ReLU -> maxpool -> conv3x3(16) -> BN -> ReLU -> avgpool
//   -> flatten -> dropout -> linear(classes)
#include "engine/layers.h"

namespace gg::nets {

class TinyCnn : public Module {
 public:
  TinyCnn(int image_size, int classes, Generator& init, TensorOptions opt = {}, double dropout_p = 0.1);
  // Logits (N, classes). `dropout_gen` drives the dropout mask in training mode.
  Tensor forward(const Tensor& x, Generator& dropout_gen);

 private:
  std::shared_ptr<Conv2d> conv1_, conv2_;
  std::shared_ptr<BatchNorm> bn1_, bn2_;
  std::shared_ptr<Linear> head_;
  double dropout_p_;
};

}  // namespace gg::nets

#pragma once
// The glitch classifier: a compact VGG-style CNN for spectrograms.
//   (N, C, S, S) -> per width w: [conv3x3(w) -> BN -> ReLU -> conv3x3(w) -> BN -> ReLU -> maxpool 2x2]
//   -> global average pool (N, w_last) -> dropout -> linear (N, classes)
// At the defaults (widths 32, 64, 128, 256; 1 channel; 22 classes) it has 1.18 M parameters.
#include <memory>
#include <string>
#include <vector>

#include "engine/layers.h"

namespace gg::nets {

struct ClassifierConfig {
  int channels = 1, resolution = 64, num_classes = 2;
  std::vector<int> widths{32, 64, 128, 256};  // one block each: conv3x3-BN-ReLU, conv3x3-BN-ReLU, 2x2 max pool
  double dropout = 0.5;
  void validate() const;  // std::invalid_argument naming the field
  bool operator==(const ClassifierConfig&) const = default;
};

// The fields in which two configs differ, as "resolution 64 vs 32, widths 32,64 vs 16,32"; empty when equal.
std::string config_differences(const ClassifierConfig& a, const ClassifierConfig& b);

class GlitchClassifier : public Module {
 public:
  // Weights from `init` (PyTorch's default uniform bounds), so the same generator state gives the same net.
  GlitchClassifier(ClassifierConfig config, Generator& init, TensorOptions options = {});
  // (N, C, S, S) in [-1, 1] -> logits (N, classes). `dropout_gen` drives the dropout mask in training mode.
  Tensor forward(const Tensor& images, Generator& dropout_gen);
  // forward = classify(features(images)): (N, C, S, S) -> the globally pooled features (N, w_last),
  // and features -> dropout -> linear head -> logits (N, classes).
  Tensor features(const Tensor& images);
  Tensor classify(const Tensor& features, Generator& dropout_gen);
  int feature_width() const { return config_.widths.back(); }
  const ClassifierConfig& config() const { return config_; }
  // Every batch norm, input side first (to re-estimate their statistics, see classifier_trainer.h).
  std::vector<BatchNorm*> batch_norms() const;

 private:
  struct Block : Module {
    Block(int in, int out, Generator& init, TensorOptions options);
    Tensor forward(const Tensor& x);
    std::shared_ptr<Conv2d> conv1, conv2;
    std::shared_ptr<BatchNorm> bn1, bn2;
  };

  ClassifierConfig config_;
  std::vector<std::shared_ptr<Block>> blocks_;
  std::shared_ptr<Linear> head_;
};

}  // namespace gg::nets

#include "nets/classifier.h"

#include <stdexcept>

namespace gg::nets {

namespace {

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

}  // namespace

void ClassifierConfig::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("classifier config: " + what); };
  if (channels < 1) fail("channels must be at least 1, not " + std::to_string(channels));
  if (num_classes < 2) fail("num_classes must be at least 2, not " + std::to_string(num_classes));
  if (widths.empty()) fail("widths must list at least one block");
  for (int w : widths)
    if (w < 1) fail("widths must be positive, not " + join(widths));
  if (widths.size() > 10) fail("widths lists " + std::to_string(widths.size()) + " blocks, at most 10");
  const int shrink = 1 << widths.size();  // every block halves the image
  if (resolution < shrink || resolution % shrink != 0) {
    fail("resolution " + std::to_string(resolution) + " must be a multiple of " + std::to_string(shrink) + " for " +
         std::to_string(widths.size()) + " pooling blocks");
  }
  if (!(dropout >= 0 && dropout < 1)) fail("dropout must be in [0, 1), not " + std::to_string(dropout));
}

std::string config_differences(const ClassifierConfig& a, const ClassifierConfig& b) {
  std::string out;
  auto note = [&](const char* field, const std::string& x, const std::string& y) {
    if (x != y) out += (out.empty() ? "" : ", ") + std::string(field) + " " + x + " vs " + y;
  };
  note("channels", std::to_string(a.channels), std::to_string(b.channels));
  note("resolution", std::to_string(a.resolution), std::to_string(b.resolution));
  note("num_classes", std::to_string(a.num_classes), std::to_string(b.num_classes));
  note("widths", join(a.widths), join(b.widths));
  note("dropout", std::to_string(a.dropout), std::to_string(b.dropout));
  return out;
}

GlitchClassifier::Block::Block(int in, int out, Generator& init, TensorOptions options) {
  // No conv bias: the batch norm that follows subtracts the mean and has its own shift.
  conv1 = register_module("conv1", std::make_shared<Conv2d>(in, out, 3, init, Conv2dOptions{1, 1}, options, false));
  bn1 = register_module("bn1", std::make_shared<BatchNorm>(out, options));
  conv2 = register_module("conv2", std::make_shared<Conv2d>(out, out, 3, init, Conv2dOptions{1, 1}, options, false));
  bn2 = register_module("bn2", std::make_shared<BatchNorm>(out, options));
}

Tensor GlitchClassifier::Block::forward(const Tensor& x) {
  const Tensor h = bn1->forward_relu(conv1->forward(x));     // (N, out, S, S)
  return max_pool2x2(bn2->forward_relu(conv2->forward(h)));  // (N, out, S/2, S/2)
}

GlitchClassifier::GlitchClassifier(ClassifierConfig config, Generator& init, TensorOptions options)
    : config_(std::move(config)) {
  config_.validate();
  int in = config_.channels;
  for (std::size_t b = 0; b < config_.widths.size(); ++b) {
    blocks_.push_back(register_module("block" + std::to_string(b), std::make_shared<Block>(in, config_.widths[b], init, options)));
    in = config_.widths[b];
  }
  head_ = register_module("head", std::make_shared<Linear>(in, config_.num_classes, init, options));
}

std::vector<BatchNorm*> GlitchClassifier::batch_norms() const {
  std::vector<BatchNorm*> out;
  for (const auto& block : blocks_) out.insert(out.end(), {block->bn1.get(), block->bn2.get()});
  return out;
}

Tensor GlitchClassifier::features(const Tensor& images) {
  if (images.dim() != 4 || images.size(1) != config_.channels || images.size(2) != config_.resolution ||
      images.size(3) != config_.resolution) {
    throw std::invalid_argument("GlitchClassifier: expected images (N, " + std::to_string(config_.channels) + ", " +
                                std::to_string(config_.resolution) + ", " + std::to_string(config_.resolution) +
                                "), got " + shape_str(images.shape()));
  }
  Tensor h = images;
  for (const auto& block : blocks_) h = block->forward(h);  // (N, w_last, S / 2^blocks, S / 2^blocks)
  return mean(h, {2, 3});                                     // (N, w_last): global average pool
}

Tensor GlitchClassifier::classify(const Tensor& features, Generator& dropout_gen) {
  return head_->forward(dropout(features, config_.dropout, is_training(), dropout_gen));  // (N, classes)
}

Tensor GlitchClassifier::forward(const Tensor& images, Generator& dropout_gen) { return classify(features(images), dropout_gen); }

}  // namespace gg::nets

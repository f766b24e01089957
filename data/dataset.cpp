#include "data/dataset.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace gg::data {

Dataset::Dataset(std::vector<std::string> class_names, int channels, int height, int width,
                 std::shared_ptr<const std::uint8_t> pixels, std::vector<int> labels, std::vector<SampleInfo> infos)
    : class_names_(std::move(class_names)), rows_(labels.size()), labels_(std::move(labels)) {
  if (infos.size() != labels_.size()) throw std::invalid_argument("Dataset: labels and infos differ in length");
  for (int label : labels_) {
    if (label < 0 || label >= num_classes()) throw std::invalid_argument("Dataset: label out of range");
  }
  std::iota(rows_.begin(), rows_.end(), std::size_t{0});
  block_ = std::make_shared<const Block>(Block{channels, height, width, std::move(pixels), std::move(infos)});
}

Dataset::Dataset(std::vector<std::string> class_names, int channels, int height, int width,
                 std::vector<std::uint8_t> pixels, std::vector<int> labels, std::vector<SampleInfo> infos) {
  if (pixels.size() != labels.size() * static_cast<std::size_t>(channels) * height * width) {
    throw std::invalid_argument("Dataset: pixel buffer does not match labels x C x H x W");
  }
  auto owner = std::make_shared<const std::vector<std::uint8_t>>(std::move(pixels));
  *this = Dataset(std::move(class_names), channels, height, width,
                  std::shared_ptr<const std::uint8_t>(owner, owner->data()), std::move(labels), std::move(infos));
}

std::span<const std::uint8_t> Dataset::pixels(std::size_t i) const {
  return {block_->pixels.get() + rows_.at(i) * sample_bytes(), sample_bytes()};
}

std::vector<std::size_t> Dataset::class_counts() const {
  std::vector<std::size_t> counts(class_names_.size(), 0);
  for (int label : labels_) ++counts[label];
  return counts;
}

Dataset Dataset::subset(std::span<const std::size_t> indices) const {
  Dataset out;
  out.block_ = block_;
  out.class_names_ = class_names_;
  out.rows_.reserve(indices.size());
  out.labels_.reserve(indices.size());
  for (std::size_t i : indices) {
    if (i >= size()) throw std::out_of_range("Dataset::subset: index " + std::to_string(i) + " out of range");
    out.rows_.push_back(rows_[i]);
    out.labels_.push_back(labels_[i]);
  }
  return out;
}

Dataset Dataset::with_classes(const std::vector<std::string>& names) const {
  std::vector<int> new_label(class_names_.size(), -1);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto found = std::find(class_names_.begin(), class_names_.end(), names[k]);
    if (found == class_names_.end()) throw std::invalid_argument("Dataset: no class named " + names[k]);
    new_label[found - class_names_.begin()] = static_cast<int>(k);
  }
  Dataset out;
  out.block_ = block_;
  out.class_names_ = names;
  for (std::size_t i = 0; i < size(); ++i) {
    if (new_label[labels_[i]] < 0) continue;
    out.rows_.push_back(rows_[i]);
    out.labels_.push_back(new_label[labels_[i]]);
  }
  return out;
}

void Dataset::sample_to_float(std::size_t i, float* out) const {
  // Bytes 0..255 map linearly onto [-1, 1].
  for (std::uint8_t v : pixels(i)) *out++ = static_cast<float>(v) * (2.0f / 255.0f) - 1.0f;
}

Tensor Dataset::images(std::span<const std::size_t> indices) const {
  Tensor out = Tensor::empty({static_cast<std::int64_t>(indices.size()), channels(), height(), width()});
  float* dst = out.data<float>();
  for (std::size_t k = 0; k < indices.size(); ++k) sample_to_float(indices[k], dst + k * sample_bytes());
  return out;
}

}  // namespace gg::data

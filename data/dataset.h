#pragma once
// Dataset: preprocessed samples, each C x H x W bytes, with a class label and where it came from.
// The bytes live in one shared block (a vector, or a memory-mapped cache file); a Dataset is a
// view of rows of that block, so subsets, splits and relabellings are cheap and copy no pixels.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace gg::data {

struct SampleInfo {
  std::string split;  // "train", "validation", "test" from split folders, else empty
  std::string ifo;
  std::string id;
};

class Dataset {
 public:
  Dataset() = default;
  // `pixels` holds labels.size() samples of channels * height * width bytes each and must stay
  // alive as long as the dataset (an aliasing shared_ptr to its owner does that).
  Dataset(std::vector<std::string> class_names, int channels, int height, int width,
          std::shared_ptr<const std::uint8_t> pixels, std::vector<int> labels, std::vector<SampleInfo> infos);
  // Convenience: takes ownership of a vector of bytes.
  Dataset(std::vector<std::string> class_names, int channels, int height, int width,
          std::vector<std::uint8_t> pixels, std::vector<int> labels, std::vector<SampleInfo> infos);

  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  int channels() const { return block_ ? block_->channels : 0; }
  int height() const { return block_ ? block_->height : 0; }
  int width() const { return block_ ? block_->width : 0; }
  std::size_t sample_bytes() const { return static_cast<std::size_t>(channels()) * height() * width(); }

  const std::vector<std::string>& class_names() const { return class_names_; }
  int num_classes() const { return static_cast<int>(class_names_.size()); }
  int label(std::size_t i) const { return labels_.at(i); }
  const std::vector<int>& labels() const { return labels_; }
  const SampleInfo& info(std::size_t i) const { return block_->infos[rows_.at(i)]; }
  std::span<const std::uint8_t> pixels(std::size_t i) const;
  // Number of samples of each class.
  std::vector<std::size_t> class_counts() const;

  // The samples at `indices`, in that order (repeats allowed).
  Dataset subset(std::span<const std::size_t> indices) const;
  // Only the samples of `names`, relabelled by their position in `names`, so two datasets can
  // share one label space. Throws std::invalid_argument for a name this dataset lacks.
  Dataset with_classes(const std::vector<std::string>& names) const;

  // Images at `indices` as an (N, C, H, W) f32 tensor with values in [-1, 1].
  Tensor images(std::span<const std::size_t> indices) const;
  // Writes sample i as floats in [-1, 1] at `out` (sample_bytes() values).
  void sample_to_float(std::size_t i, float* out) const;

 private:
  struct Block {
    int channels = 0, height = 0, width = 0;
    std::shared_ptr<const std::uint8_t> pixels;
    std::vector<SampleInfo> infos;
  };
  std::shared_ptr<const Block> block_;
  std::vector<std::string> class_names_;
  std::vector<std::size_t> rows_;  // sample i is row rows_[i] of the block
  std::vector<int> labels_;        // label of sample i
};

}  // namespace gg::data

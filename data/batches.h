#pragma once
// Batches for training: images as an (N, C, H, W) f32 tensor in [-1, 1] and their labels, from
// one dataset through an index sampler, or from two datasets mixed by a ratio (real and
// generated). Every source is an endless, seeded stream.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "data/dataset.h"
#include "data/samplers.h"
#include "engine/tensor.h"

namespace gg::data {

struct Batch {
  Tensor images;            // (N, C, H, W) f32
  std::vector<int> labels;  // N class indices
};

Batch make_batch(const Dataset& dataset, std::span<const std::size_t> indices);

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Batch next() = 0;
};

// Batches of `batch_size` consecutive draws of the sampler.
class SampledBatches final : public BatchSource {
 public:
  SampledBatches(Dataset dataset, std::unique_ptr<IndexSampler> sampler, std::size_t batch_size);
  Batch next() override;

 private:
  Dataset dataset_;
  std::unique_ptr<IndexSampler> sampler_;
  std::size_t batch_size_;
};

// Each batch takes a share `fraction_a` of its samples from `a` and the rest from `b`; the
// count from `a` is rounded up or down at random so the long-run share is exactly the fraction,
// and the two parts are shuffled together. Both datasets must have the same image shape and
// class names (Dataset::with_classes aligns them).
class MixedBatches final : public BatchSource {
 public:
  MixedBatches(Dataset a, std::unique_ptr<IndexSampler> sampler_a, Dataset b, std::unique_ptr<IndexSampler> sampler_b,
               double fraction_a, std::size_t batch_size, std::uint64_t seed);
  Batch next() override;

 private:
  Dataset a_, b_;
  std::unique_ptr<IndexSampler> sampler_a_, sampler_b_;
  double fraction_a_;
  std::size_t batch_size_;
  Generator gen_;
};

}  // namespace gg::data

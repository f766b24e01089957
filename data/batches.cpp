#include "data/batches.h"

#include <cmath>
#include <stdexcept>

namespace gg::data {

Batch make_batch(const Dataset& dataset, std::span<const std::size_t> indices) {
  Batch batch{dataset.images(indices), {}};
  batch.labels.reserve(indices.size());
  for (std::size_t i : indices) batch.labels.push_back(dataset.label(i));
  return batch;
}

SampledBatches::SampledBatches(Dataset dataset, std::unique_ptr<IndexSampler> sampler, std::size_t batch_size)
    : dataset_(std::move(dataset)), sampler_(std::move(sampler)), batch_size_(batch_size) {
  if (batch_size_ == 0 || dataset_.empty()) throw std::invalid_argument("SampledBatches: empty dataset or batch size 0");
}

Batch SampledBatches::next() {
  std::vector<std::size_t> indices(batch_size_);
  for (std::size_t& i : indices) i = sampler_->next();
  return make_batch(dataset_, indices);
}

MixedBatches::MixedBatches(Dataset a, std::unique_ptr<IndexSampler> sampler_a, Dataset b,
                           std::unique_ptr<IndexSampler> sampler_b, double fraction_a, std::size_t batch_size,
                           std::uint64_t seed)
    : a_(std::move(a)),
      b_(std::move(b)),
      sampler_a_(std::move(sampler_a)),
      sampler_b_(std::move(sampler_b)),
      fraction_a_(fraction_a),
      batch_size_(batch_size),
      gen_(seed) {
  if (!(fraction_a >= 0 && fraction_a <= 1)) throw std::invalid_argument("MixedBatches: the fraction must be in [0, 1]");
  if (batch_size == 0) throw std::invalid_argument("MixedBatches: batch size 0");
  if (a_.channels() != b_.channels() || a_.height() != b_.height() || a_.width() != b_.width()) {
    throw std::invalid_argument("MixedBatches: the two datasets have different image shapes");
  }
  if (a_.class_names() != b_.class_names()) {
    throw std::invalid_argument("MixedBatches: the two datasets have different classes (align them with with_classes)");
  }
}

Batch MixedBatches::next() {
  const double expected = fraction_a_ * static_cast<double>(batch_size_);
  const double whole = std::floor(expected);
  const auto from_a = static_cast<std::size_t>(whole) + (gen_.uniform() < expected - whole ? 1 : 0);
  // Positions 0..from_a-1 of a shuffled order get samples of a, the rest samples of b.
  const std::vector<std::size_t> slots = random_permutation(batch_size_, gen_);
  Batch batch{Tensor::empty({static_cast<std::int64_t>(batch_size_), a_.channels(), a_.height(), a_.width()}),
              std::vector<int>(batch_size_)};
  float* images = batch.images.data<float>();
  for (std::size_t k = 0; k < batch_size_; ++k) {
    const bool take_a = k < from_a;
    const Dataset& source = take_a ? a_ : b_;
    const std::size_t index = take_a ? sampler_a_->next() : sampler_b_->next();
    source.sample_to_float(index, images + slots[k] * source.sample_bytes());
    batch.labels[slots[k]] = source.label(index);
  }
  return batch;
}

}  // namespace gg::data

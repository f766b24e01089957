#pragma once
// Data parallelism: every rank of a job draws the whole global minibatch's random numbers (sample
// indices, latents, mixing factors, labels, augmentations) from the same streams, and computes on
// its share of the rows. So a job of N ranks sees exactly the samples of one process with the same
// global batch, its streams advance alike (a checkpoint resumes with any rank count), and only the
// order of the sums differs: the losses are averaged over the ranks, the gradients all-reduced.
//
// The share respects the discriminator's minibatch-stddev groups. With G = min(group, B) and
// M = B / G, global sample i belongs to group i mod M (nets/ops_progan.h). Rank r takes the
// columns c in [r M / N, (r + 1) M / N): the samples j M + c for every j < G, in ascending order,
// so its local batch B / N forms the same groups (local M / N columns of G members) as one process
// would: the statistic of every group, and so every sample's score, is that of one process.
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/tensor.h"

namespace gg::nets {

class BatchShare {
 public:
  // Throws std::invalid_argument when B does not split so: M must be a multiple of N.
  BatchShare(int global_batch, int group_size, int rank, int ranks);

  int global_batch() const { return global_; }
  int size() const { return size_; }
  bool whole() const { return size_ == global_; }
  // Rows of the global batch, as [begin, end) runs in ascending order.
  const std::vector<std::pair<int, int>>& runs() const { return runs_; }

  // This rank's rows of x (global_batch, ...): x itself when the share is the whole batch.
  Tensor rows(const Tensor& x) const;
  template <typename T> std::vector<T> rows(const std::vector<T>& v) const {
    check_rows(v.size());
    if (whole()) return v;
    std::vector<T> out;
    for (const auto& [begin, end] : runs_) out.insert(out.end(), v.begin() + begin, v.begin() + end);
    return out;
  }

 private:
  void check_rows(std::size_t rows) const;  // throws std::invalid_argument unless rows == global_batch()

  int global_ = 0, size_ = 0;
  std::vector<std::pair<int, int>> runs_;
};

}  // namespace gg::nets

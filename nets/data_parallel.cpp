#include "nets/data_parallel.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "engine/ops.h"

namespace gg::nets {

BatchShare::BatchShare(int global_batch, int group_size, int rank, int ranks) : global_(global_batch) {
  if (global_batch < 1 || ranks < 1 || rank < 0 || rank >= ranks)
    throw std::invalid_argument(fmt::format("BatchShare: batch {}, rank {} of {}", global_batch, rank, ranks));
  const int groups_of = group_size > 1 ? std::min(group_size, global_batch) : 1;  // G
  const int columns = global_batch / groups_of;                                     // M
  if (global_batch % groups_of != 0 || columns % ranks != 0) {
    throw std::invalid_argument(fmt::format(
        "a minibatch of {} does not split over {} ranks in whole minibatch-stddev groups of {}: it must be a multiple of {}",
        global_batch, ranks, groups_of, groups_of * ranks));
  }
  const int per_rank = columns / ranks;
  for (int j = 0; j < groups_of; ++j) runs_.emplace_back(j * columns + rank * per_rank, j * columns + (rank + 1) * per_rank);
  // Neighbouring runs (one group, or one rank) are one block of rows.
  std::vector<std::pair<int, int>> merged;
  for (const auto& run : runs_) {
    if (!merged.empty() && merged.back().second == run.first) merged.back().second = run.second;
    else merged.push_back(run);
  }
  runs_ = std::move(merged);
  size_ = global_batch / ranks;
}

void BatchShare::check_rows(std::size_t rows) const {
  if (rows != static_cast<std::size_t>(global_))
    throw std::invalid_argument(fmt::format("BatchShare: {} rows, but the global batch is {}", rows, global_));
}

Tensor BatchShare::rows(const Tensor& x) const {
  check_rows(static_cast<std::size_t>(x.size(0)));
  if (whole()) return x;
  std::vector<Tensor> parts;
  for (const auto& [begin, end] : runs_) parts.push_back(slice(x, 0, begin, end));
  return parts.size() == 1 ? parts.front() : concat(parts, 0);
}

}  // namespace gg::nets

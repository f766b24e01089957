// The pieces of data parallelism that one process can check (tests/mpi runs the real ranks).
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "engine/communicator.h"
#include "engine/cpu_threads.h"
#include "engine/ops_progan.h"
#include "nets/data_parallel.h"
#include "tests/testing.h"

using namespace gg;

namespace {

// The sample rows of global batch `batch` that each minibatch-stddev group holds (group m:
// samples m, m + M, m + 2M, ..., as ops_progan.h), as sets of global rows.
std::set<std::set<int>> groups_of(const std::vector<int>& rows, int group_size) {
  const int n = static_cast<int>(rows.size()), g = std::min(group_size, n), columns = n / g;
  std::set<std::set<int>> out;
  for (int m = 0; m < columns; ++m) {
    std::set<int> group;
    for (int j = 0; j < g; ++j) group.insert(rows[static_cast<std::size_t>(j * columns + m)]);
    out.insert(group);
  }
  return out;
}

}  // namespace

TEST_CASE("data parallel: the ranks' shares cover the batch once and form the minibatch-stddev groups of one process") {
  for (auto [batch, group, ranks] : {std::tuple{16, 4, 2}, {32, 4, 4}, {64, 4, 2}, {8, 4, 2}, {12, 1, 3}, {6, 0, 2}}) {
    CAPTURE(batch);
    CAPTURE(ranks);
    std::vector<int> global(static_cast<std::size_t>(batch));
    std::iota(global.begin(), global.end(), 0);
    std::vector<int> covered;
    std::set<std::set<int>> rank_groups;
    for (int r = 0; r < ranks; ++r) {
      const nets::BatchShare share(batch, group, r, ranks);
      const std::vector<int> rows = share.rows(global);
      CHECK(static_cast<int>(rows.size()) == batch / ranks);
      CHECK(share.size() == batch / ranks);
      CHECK(std::is_sorted(rows.begin(), rows.end()));
      covered.insert(covered.end(), rows.begin(), rows.end());
      if (group > 1)
        for (const std::set<int>& g : groups_of(rows, group)) rank_groups.insert(g);
    }
    std::sort(covered.begin(), covered.end());
    CHECK(covered == global);
    if (group > 1) CHECK(rank_groups == groups_of(global, group));
  }
}

TEST_CASE("data parallel: minibatch stddev over each rank's rows gives one process' values") {
  const Tensor x = testing::random_f64({16, 3, 2, 2}, 11);
  const Tensor whole = minibatch_stddev(x, 4);
  for (int r = 0; r < 2; ++r) {
    const nets::BatchShare share(16, 4, r, 2);
    testing::check_close(minibatch_stddev(share.rows(x), 4), share.rows(whole), 1e-12, 1e-12);
  }
}

TEST_CASE("data parallel: a batch that does not split into whole groups per rank is refused, naming the multiple") {
  CHECK_THROWS_WITH_AS(nets::BatchShare(4, 4, 0, 2), doctest::Contains("must be a multiple of 8"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(nets::BatchShare(24, 4, 0, 4), doctest::Contains("must be a multiple of 16"), std::invalid_argument);
  CHECK_THROWS_AS(nets::BatchShare(16, 4, 2, 2), std::invalid_argument);  // no rank 2 of 2
  CHECK_THROWS_AS(nets::BatchShare(16, 4, 0, 2).rows(std::vector<int>(3)), std::invalid_argument);  // not the global batch
  const nets::BatchShare alone(16, 4, 0, 1);
  CHECK(alone.whole());
  const Tensor x = testing::random_f64({16, 2}, 3);
  CHECK(alone.rows(x).same_storage(x));  // one process: no copy
}

TEST_CASE("data parallel: one process' collectives leave everything as it is") {
  Communicator& one = single_process();
  CHECK(one.size() == 1);
  CHECK(one.is_root());
  Tensor p = Tensor::from_vector(std::vector<float>{1, 2}, {2}).set_requires_grad();
  p.set_grad(Tensor::from_vector(std::vector<float>{3, 4}, {2}));
  GradientAverager(one, {p}).average();
  CHECK(p.grad().to_vector<float>() == std::vector<float>{3, 4});
  std::vector<double> values{1.5};
  one.all_reduce(values, ReduceOp::mean);
  CHECK(values[0] == 1.5);
  CHECK(one.gather("text", 0) == std::vector<std::string>{"text"});
  CHECK(one.broadcast("text", 0) == "text");
}

TEST_CASE("cpu threads: a rank takes its share of the host's cores, no more than its affinity allows") {
  CHECK(threads_per_rank(1, 2, 2) == 1);   // bound to one core
  CHECK(threads_per_rank(2, 2, 2) == 1);   // unbound: half the host each
  CHECK(threads_per_rank(16, 16, 2) == 8);
  CHECK(threads_per_rank(4, 16, 2) == 4);  // bound to 4 cores
  CHECK(threads_per_rank(8, 4, 8) == 1);   // more ranks than cores: still one
}

#pragma once
// Generator: the (seed, offset) state of a Philox stream (see kernels/common/philox.h).
// Every random op takes the generator, reads its offset and advances it by the blocks it used,
// so a run's random numbers depend only on the seed and the order of requests.
#include <cstdint>

#include "kernels/common/philox.h"

namespace gg {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0, std::uint64_t offset = 0) : seed_(seed), offset_(offset) {}

  std::uint64_t seed() const { return seed_; }
  std::uint64_t offset() const { return offset_; }
  void set_state(std::uint64_t seed, std::uint64_t offset) {
    seed_ = seed;
    offset_ = offset;
  }

  // Reserves the blocks for n values and returns the offset where they start.
  std::uint64_t take(std::uint64_t n) {
    const std::uint64_t start = offset_;
    offset_ += philox::blocks_for(n);
    return start;
  }

  // Scalar draws for host-side decisions (shuffles, sampling): one block each.
  double uniform() { return philox::uniform(philox::block_at(seed_, take(1)).v[0]); }
  std::uint64_t next_u64() {
    const philox::Block b = philox::block_at(seed_, take(2));
    return (static_cast<std::uint64_t>(b.v[1]) << 32) | b.v[0];
  }

 private:
  std::uint64_t seed_;
  std::uint64_t offset_;
};

}  // namespace gg

#pragma once
// Prefetcher: runs another batch source on a background thread and keeps up to `depth` batches
// ready in a bounded queue, so the training loop takes a finished batch instead of waiting for
// one to be assembled. The order is the inner source's order, so seeded runs stay reproducible.
// An exception in the background is rethrown by next().
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "data/batches.h"

namespace gg::data {

class Prefetcher final : public BatchSource {
 public:
  explicit Prefetcher(std::unique_ptr<BatchSource> inner, std::size_t depth = 4);
  ~Prefetcher() override;
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  Batch next() override;

 private:
  void produce();

  std::unique_ptr<BatchSource> inner_;
  std::size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts after every other member exists
};

}  // namespace gg::data

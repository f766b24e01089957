#include "data/prefetcher.h"

#include <stdexcept>

namespace gg::data {

Prefetcher::Prefetcher(std::unique_ptr<BatchSource> inner, std::size_t depth)
    : inner_(std::move(inner)), depth_(depth), worker_() {
  if (!inner_ || depth_ == 0) throw std::invalid_argument("Prefetcher: needs a source and a depth of at least 1");
  worker_ = std::thread([this] { produce(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void Prefetcher::produce() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || ready_.size() < depth_; });
      if (stopping_) return;
    }
    // Assembled outside the lock, so next() can take ready batches meanwhile.
    try {
      Batch batch = inner_->next();
      std::lock_guard lock(mutex_);
      ready_.push_back(std::move(batch));
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

Batch Prefetcher::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !ready_.empty() || error_; });
  if (ready_.empty()) std::rethrow_exception(error_);
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace gg::data

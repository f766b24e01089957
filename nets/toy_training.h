#pragma once
// The engine demo's training run: TinyCnn on the synthetic bars task (data/toy_task.h) with Adam,
// cross-entropy and a step learning-rate decay. Used by `glitchgan demo` and the tests.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/tensor.h"

namespace gg::nets {

struct ToyRunConfig {
  int image_size = 16;
  int train_count = 2048;
  int test_count = 256;
  int epochs = 6;
  int batch = 32;
  double lr = 3e-3;
  double noise = 0.5;
  std::uint64_t seed = 1;
};

struct ToyEpochReport {
  int epoch;            // 1-based
  double train_loss;    // mean over the epoch's batches
  double test_accuracy; // in [0, 1]
  double seconds;       // wall time of the epoch
};

struct ToyRunResult {
  std::vector<double> batch_losses;  // every step, in order (for determinism checks)
  std::vector<ToyEpochReport> epochs;
  std::int64_t parameters = 0;
};

ToyRunResult train_toy_classifier(const ToyRunConfig& config,
                                  const std::function<void(const ToyEpochReport&)>& on_epoch = {});

}  // namespace gg::nets

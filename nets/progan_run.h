#pragma once
// A whole ProGAN run in a folder: trains to the end of the schedule and leaves behind
//   checkpoint.safetensors (+ checkpoint.json)  every `checkpoint_kimg`, at each phase end, at the end
//   log.jsonl                                   one JSON line per round: losses, GP, alpha, resolution...;
//                                               and, every `metrics_kimg`, one line of `evaluate`'s metrics
//   samples/phase-NN-<stabilize|fade>-<S>x<S>.png  Gs on fixed latents at the end of each phase
// and prints a progress line now and then. A NaN or Inf loss stops the run with an error that says
// which loss, where, and which checkpoint is kept (it is never overwritten by the bad state).
// SIGINT or SIGTERM stops it at the end of the round, with a checkpoint of that state written, by
// throwing nets::Interrupted (nets/stop_signal.h).
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nets/progan_trainer.h"

namespace gg::nets {

struct RunOptions {
  std::filesystem::path out;
  double checkpoint_kimg = 20;
  double progress_seconds = 10;  // between progress lines (phase ends always print)
  int grid_columns = 8;
  std::function<void(const std::string&)> print;  // progress lines; empty: silent
  // Metrics of the run so far (e.g. GAN-test of G and Gs), logged as one line {"step", "kimg",
  // name: value...} every `metrics_kimg` (0: only at the end) and at the end; empty: none.
  std::function<std::vector<std::pair<std::string, double>>(ProganTrainer&)> evaluate;
  double metrics_kimg = 0;
};

struct RunSummary {
  double kimg = 0;
  std::int64_t steps = 0;
  double seconds = 0;
};

std::filesystem::path checkpoint_path(const std::filesystem::path& run);

// `resumed`: the trainer was restored from checkpoint_path(out); the log then keeps its lines up
// to the checkpoint's step and goes on from there, otherwise a new log is started.
RunSummary run_training(ProganTrainer& trainer, const RunOptions& options, bool resumed);

}  // namespace gg::nets

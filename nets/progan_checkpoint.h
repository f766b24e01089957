#pragma once
// ProGAN checkpoints: one safetensors file holding every tensor of the run (G, D, Gs and both
// Adams' moments, see ProganTrainer::tensors) plus, in its string metadata, two JSON documents:
// "glitchgan.config" (networks, schedule, loss, optimizer, seed, class names) and
// "glitchgan.state" (step, kimg, level, phase, alpha, every RNG stream's seed and offset, data
// position). Tensors and state go to disk in one atomic write, so they always belong together;
// a copy of the two JSON documents is written beside it as <name>.json for people and scripts.
#include <filesystem>
#include <memory>
#include <string>

#include "nets/progan_sampling.h"
#include "nets/progan_trainer.h"

namespace gg::nets {

void save_checkpoint(const ProganTrainer& trainer, const std::filesystem::path& file);

struct Checkpoint {
  ProganTrainConfig config;  // device left at CPU: it is chosen when loading
  TrainingState state;
  TensorMap tensors;
};

// Reads and checks a checkpoint; every error names the file. Tensors are placed on `device`.
Checkpoint read_checkpoint(const std::filesystem::path& file, Device device = Device::cpu());

// Restores a trainer built with the checkpoint's config (its device aside); throws naming the
// settings that differ otherwise.
void restore_checkpoint(ProganTrainer& trainer, const Checkpoint& checkpoint, const std::filesystem::path& file);

// A generator of a checkpoint (the EMA Gs or the trained G), ready to sample, with the schedule
// point it had reached.
struct TrainedGenerator {
  ProganTrainConfig config;
  TrainingState state;
  SchedulePoint point;  // level and alpha to sample at
  std::unique_ptr<ProganGenerator> generator;
};
TrainedGenerator load_trained_generator(const std::filesystem::path& file, Device device = Device::cpu(),
                                        GanWeights weights = GanWeights::ema);

// The JSON documents, for tests and tools.
std::string config_to_json(const ProganTrainConfig& config);
ProganTrainConfig config_from_json(const std::string& text);
TrainingState state_from_json(const std::string& text);  // the "glitchgan.state" document
// The settings in which two configs differ, as JSON paths ("/net/fmap_max"); empty when equal.
std::string config_differences(const ProganTrainConfig& a, const ProganTrainConfig& b);

}  // namespace gg::nets

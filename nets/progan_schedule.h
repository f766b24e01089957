#pragma once
// ProGAN's training schedule, measured in thousands of real images shown (kimg), as the official
// TrainingSchedule in train.py: the run starts at 4x4; each phase stabilizes the current
// resolution for `stabilize_kimg`, then fades the next one in over `fade_kimg` while alpha rises
// from 0 to 1; the final resolution then trains until the end. The official code counts in
// "level of detail" lod = log2(final) - log2(current) (+ the fraction still to fade); so does this.
#include <map>

#include "engine/tensor.h"

namespace gg::nets {

struct ScheduleConfig {
  int final_level = 6;           // log2 of the final resolution
  double stabilize_kimg = 600;   // lod_training_kimg
  double fade_kimg = 600;        // lod_transition_kimg
  // Minibatch size per resolution; resolutions not listed use batch_default. These are the
  // official single-GPU preset's values (config.py, "preset-v2-1gpu").
  std::map<int, int> batch_by_resolution = {{4, 128}, {8, 128}, {16, 128}, {32, 64},
                                            {64, 32}, {128, 16}, {256, 8},  {512, 4}};
  int batch_default = 4;
  // The official loop re-reads the schedule once per `minibatch_repeats` iterations.
  int minibatch_repeats = 4;
  // Length of the run; 0: the end of the last fade plus one stabilize period.
  double total_kimg = 0;

  // Same minibatch size at every resolution.
  void set_constant_batch(int batch);
  double run_kimg() const;
  // Throws std::invalid_argument naming the bad field.
  void validate() const;
};

enum class Phase { stabilize, fade };
const char* phase_name(Phase phase);

struct SchedulePoint {
  double kimg = 0;
  double lod = 0;       // level of detail, from log2(final) - 2 down to 0
  int level = 2;        // log2 of the resolution the networks run at
  int resolution = 4;
  double alpha = 1;     // fade-in weight of the newest level, 1 when stabilizing
  Phase phase = Phase::stabilize;
  int phase_index = 0;  // 0: 4x4 stabilize, 1: fade to 8x8, 2: 8x8 stabilize, ...
  int batch = 0;
};

// The minibatch size at `resolution`.
int batch_at_resolution(const ScheduleConfig& config, int resolution);

SchedulePoint schedule_at(const ScheduleConfig& config, double kimg);

// The kimg at which `level` (log2 of a resolution) joins the networks: 0 for 4x4, otherwise the
// start of its fade-in.
double level_start_kimg(const ScheduleConfig& config, int level);

// The official code resets both optimizers whenever floor(lod) or ceil(lod) changes: when a fade
// begins (a new level appears) and when it ends (the old branch disappears).
bool optimizer_reset_between(double previous_lod, double lod);

// The official process_reals for our level-sized networks: images (N, C, S, S) at the final
// resolution are box-downsampled (2x2 means, as dataset_tool builds its lower resolutions) to
// 2^level; during a fade they are blended with their own half-resolution copy, upsampled again:
// x = lerp(upsample(avgpool(x)), x, alpha), so D sees reals faded exactly like G's output.
Tensor process_reals(const Tensor& images, int level, double alpha);

}  // namespace gg::nets

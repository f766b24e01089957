#include "nets/progan_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/ops.h"

namespace gg::nets {

void ScheduleConfig::set_constant_batch(int batch) {
  batch_by_resolution.clear();
  batch_default = batch;
}

double ScheduleConfig::run_kimg() const {
  if (total_kimg > 0) return total_kimg;
  return (final_level - 2) * (stabilize_kimg + fade_kimg) + stabilize_kimg;
}

void ScheduleConfig::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("training schedule: " + what); };
  if (final_level < 2 || final_level > 10) fail("final resolution must be 4 .. 1024");
  if (!(stabilize_kimg >= 0) || !(fade_kimg >= 0)) fail("stabilize and fade kimg must be >= 0");
  if (stabilize_kimg + fade_kimg <= 0 && final_level > 2) fail("stabilize + fade kimg must be > 0 to grow");
  if (batch_default < 1) fail("batch size must be >= 1");
  for (const auto& [res, batch] : batch_by_resolution) {
    if (batch < 1) fail("batch size at " + std::to_string(res) + " must be >= 1");
  }
  if (minibatch_repeats < 1) fail("minibatch repeats must be >= 1");
  if (!(total_kimg >= 0)) fail("total kimg must be >= 0");
}

const char* phase_name(Phase phase) { return phase == Phase::stabilize ? "stabilize" : "fade"; }

int batch_at_resolution(const ScheduleConfig& config, int resolution) {
  const auto it = config.batch_by_resolution.find(resolution);
  return it != config.batch_by_resolution.end() ? it->second : config.batch_default;
}

SchedulePoint schedule_at(const ScheduleConfig& config, double kimg) {
  SchedulePoint s;
  s.kimg = kimg;
  const double phase_kimg_total = config.stabilize_kimg + config.fade_kimg;
  const double phase_idx = phase_kimg_total > 0 ? std::floor(kimg / phase_kimg_total) : 0;
  const double phase_kimg = kimg - phase_idx * phase_kimg_total;

  s.lod = config.final_level - 2 - phase_idx;
  if (config.fade_kimg > 0) s.lod -= std::max(phase_kimg - config.stabilize_kimg, 0.0) / config.fade_kimg;
  s.lod = std::max(s.lod, 0.0);

  const double lod_floor = std::floor(s.lod);
  s.level = config.final_level - static_cast<int>(lod_floor);
  s.resolution = 1 << s.level;
  s.alpha = 1.0 - (s.lod - lod_floor);
  s.phase = s.lod > lod_floor ? Phase::fade : Phase::stabilize;
  s.phase_index = 2 * (s.level - 2) - (s.phase == Phase::fade ? 1 : 0);
  s.batch = batch_at_resolution(config, s.resolution);
  return s;
}

double level_start_kimg(const ScheduleConfig& config, int level) {
  if (level <= 2) return 0;
  return (level - 3) * (config.stabilize_kimg + config.fade_kimg) + config.stabilize_kimg;
}

bool optimizer_reset_between(double previous_lod, double lod) {
  return std::floor(previous_lod) != std::floor(lod) || std::ceil(previous_lod) != std::ceil(lod);
}

Tensor process_reals(const Tensor& images, int level, double alpha) {
  NoGrad no_grad;
  const std::int64_t target = std::int64_t{1} << level;
  if (images.dim() != 4 || images.size(2) != images.size(3) || images.size(2) < target) {
    throw std::invalid_argument("process_reals: images " + shape_str(images.shape()) +
                                " are not square or smaller than " + std::to_string(target));
  }
  Tensor x = images;
  while (x.size(2) > target) x = avg_pool2x2(x);
  if (alpha < 1.0) x = lerp(upsample_nearest2x(avg_pool2x2(x)), x, alpha);
  return x;
}

}  // namespace gg::nets

#include "nets/progan_run.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "data/png_io.h"
#include "engine/posix_file.h"
#include "nets/progan_checkpoint.h"
#include "nets/progan_images.h"
#include "nets/stop_signal.h"

namespace gg::nets {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto s = static_cast<long long>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

json log_line(const TrainingState& state, const RoundReport& r, bool conditional, bool augmented) {
  json j = {
      {"step", state.step},
      {"kimg", state.kimg()},
      {"resolution", r.point.resolution},
      {"level", r.point.level},
      {"phase", phase_name(r.point.phase)},
      {"alpha", r.point.alpha},
      {"lod", r.point.lod},
      {"batch", r.point.batch},
      {"d_loss", r.mean.d_loss},
      {"g_loss", r.mean.g_loss},
      {"gp", r.mean.gradient_penalty},
      {"drift", r.mean.drift},
      {"real_score", r.mean.real_score},
      {"fake_score", r.mean.fake_score},
      {"optimizers_reset", r.optimizers_reset},
      {"real_sign", r.mean.real_sign},
  };
  if (augmented) j["augment_p"] = state.augment_probability;
  if (conditional) {
    j["d_label_loss"] = r.mean.d_label_loss;
    j["g_label_loss"] = r.mean.g_label_loss;
  }
  return j;
}

// A resumed run keeps the log lines up to the checkpoint's step, so the log reads as one run.
void truncate_log(const fs::path& log, std::int64_t step) {
  std::ifstream in(log);
  if (!in) return;
  std::string kept, line;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("step") && j["step"].get<std::int64_t>() <= step) kept += line + "\n";
  }
  write_text_file_atomic(log, kept);
}

void write_grid(ProganTrainer& trainer, const SchedulePoint& point, const RunOptions& options) {
  const fs::path file = options.out / "samples" /
                        fmt::format("phase-{:02}-{}-{}x{}.png", point.phase_index, phase_name(point.phase),
                                    point.resolution, point.resolution);
  data::write_png(file, picture_grid(trainer.grid_samples(point), options.grid_columns, trainer.config().net.resolution));
}

bool metrics_due(double kimg_before, double kimg, double every) {
  return every > 0 && std::floor(kimg / every) > std::floor(kimg_before / every);
}

}  // namespace

fs::path checkpoint_path(const fs::path& run) { return run / "checkpoint.safetensors"; }

RunSummary run_training(ProganTrainer& trainer, const RunOptions& options, bool resumed) {
  // Data parallel: every rank trains; rank 0 alone writes, evaluates and prints.
  Communicator& communicator = trainer.communicator();
  const bool root = communicator.is_root();
  const fs::path log_file = options.out / "log.jsonl", checkpoint = checkpoint_path(options.out);
  std::ofstream log;
  if (root) {
    fs::create_directories(options.out / "samples");
    if (resumed) {
      truncate_log(log_file, trainer.state().step);
    } else {
      std::ofstream(log_file, std::ios::trunc);
    }
    log.open(log_file, std::ios::app);
    if (!log) throw std::runtime_error(log_file.string() + ": cannot open the training log for writing");
  }
  const auto print = root ? options.print : std::function<void(const std::string&)>{};

  const bool conditional = trainer.config().net.num_classes > 0;
  const double total_kimg = trainer.config().schedule.run_kimg();
  std::optional<double> saved_kimg;
  if (resumed) saved_kimg = trainer.state().kimg();
  const Clock::time_point start = Clock::now();
  const double start_kimg = trainer.state().kimg();
  Clock::time_point last_print = start;
  double last_print_kimg = start_kimg;
  bool first = true;
  const StopOnSignal stop;

  while (!trainer.finished()) {
    const double kimg_before = trainer.state().kimg();
    RoundReport r;
    try {
      r = trainer.train_round();
    } catch (const TrainingDiverged& e) {
      const std::string kept = saved_kimg ? fmt::format("the last good checkpoint {} (kimg {:.1f}) is kept",
                                                        checkpoint.string(), *saved_kimg)
                                          : std::string("no checkpoint had been written yet");
      throw std::runtime_error(fmt::format("training stopped: {}; {}", e.what(), kept));
    }
    const TrainingState state = trainer.state();
    if (root) log << log_line(state, r, conditional, trainer.config().augment.enabled()).dump() << "\n" << std::flush;

    const SchedulePoint next = trainer.next_point();
    const bool done = trainer.finished();
    if (root && options.evaluate && (done || metrics_due(kimg_before, state.kimg(), options.metrics_kimg))) {
      json line = {{"step", state.step}, {"kimg", state.kimg()}};
      std::string text;
      for (const auto& [name, value] : options.evaluate(trainer)) {
        line[name] = value;
        text += fmt::format("{}{} {:.4g}", text.empty() ? "" : ", ", name, value);
      }
      log << line.dump() << "\n" << std::flush;
      if (print) print(fmt::format("kimg {:8.2f}: {}", state.kimg(), text));
    }
    const bool phase_ended = done || next.phase_index != r.point.phase_index;
    if (root && phase_ended) write_grid(trainer, r.point, options);
    const double kimg = state.kimg();
    const bool due = !saved_kimg || std::floor(kimg / options.checkpoint_kimg) > std::floor(*saved_kimg / options.checkpoint_kimg);
    // A signal reaches the ranks at different moments: they stop at the first round end after any saw one.
    std::vector<double> received{static_cast<double>(stop.received())};
    communicator.all_reduce(received, ReduceOp::max);
    const int signal = static_cast<int>(received[0]);
    if (phase_ended || due || (signal && saved_kimg != kimg)) {
      if (root) save_checkpoint(trainer, checkpoint);
      saved_kimg = kimg;
    }
    if (signal) {
      throw Interrupted(signal, fmt::format("stopped by {} at kimg {:.2f} (step {}); the checkpoint {} holds that "
                                            "state, and --resume goes on from it",
                                            signal_name(signal), kimg, state.step, checkpoint.string()));
    }

    if (print && (first || phase_ended || seconds_since(last_print) >= options.progress_seconds)) {
      const double window_rate = (kimg - last_print_kimg) / std::max(seconds_since(last_print), 1e-9);
      // The latest rate, not the mean: every growth step makes an image several times dearer, so
      // the mean over the fast low-resolution phases would promise far too short a wait.
      print(fmt::format("kimg {:8.2f}/{:g} | {:>4}x{:<4} {:<9} alpha {:.3f} | batch {:>3} | {:6.3f} kimg/s | "
                                "D {:+9.4f} G {:+9.4f} GP {:8.4f} | ETA {}",
                                kimg, total_kimg, r.point.resolution, r.point.resolution, phase_name(r.point.phase),
                                r.point.alpha, r.point.batch, window_rate, r.mean.d_loss, r.mean.g_loss,
                                r.mean.gradient_penalty, duration_text(std::max(total_kimg - kimg, 0.0) / window_rate)));
      last_print = Clock::now();
      last_print_kimg = kimg;
      first = false;
    }
  }
  return {trainer.state().kimg(), trainer.state().step, seconds_since(start)};
}

}  // namespace gg::nets

#include "data/synth/synth_dataset.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>

#include "data/gravityspy_layout.h"
#include "data/png_io.h"
#include "data/synth/glitch_models.h"
#include "data/synth/synth_scan.h"

namespace gg::data::synth {

namespace fs = std::filesystem;

std::vector<std::size_t> imbalanced_counts(std::size_t per_class, std::size_t classes, double imbalance) {
  if (!(imbalance >= 1)) throw std::invalid_argument("synth: the imbalance ratio must be at least 1");
  std::vector<std::size_t> counts(classes);
  for (std::size_t k = 0; k < classes; ++k) {
    const double fall = classes > 1 ? static_cast<double>(k) / (classes - 1) : 0.0;
    counts[k] = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(per_class * std::pow(imbalance, -fall))));
  }
  return counts;
}

SynthSummary write_synth_dataset(const SynthDatasetOptions& options,
                                 const std::function<void(const SynthProgress&)>& progress) {
  if (options.out.empty()) throw std::invalid_argument("synth: no output folder given");
  if (options.per_class == 0) throw std::invalid_argument("synth: --per-class must be at least 1");
  if (options.windows.empty()) throw std::invalid_argument("synth: choose at least one time window");
  for (double w : options.windows) window_index(w);

  SynthSummary summary;
  summary.classes = options.classes;
  if (summary.classes.empty()) summary.classes.assign(kGlitchClasses.begin(), kGlitchClasses.end());
  std::vector<int> class_index;
  for (const std::string& name : summary.classes) class_index.push_back(glitch_class_index(name));
  summary.counts = imbalanced_counts(options.per_class, summary.classes.size(), options.imbalance);

  struct Job {
    std::size_t class_slot;
    std::uint64_t index;
  };
  std::vector<Job> jobs;
  for (std::size_t c = 0; c < summary.classes.size(); ++c) {
    fs::create_directories(options.out / summary.classes[c]);
    for (std::size_t i = 0; i < summary.counts[c]; ++i) jobs.push_back({c, i});
  }

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::size_t done = 0;
  std::mutex mutex;  // guards done, failure and the progress callback
  std::exception_ptr failure;
  std::atomic<bool> stop{false};
  // Exceptions cannot leave an OpenMP loop: the first one is kept, the remaining jobs are skipped,
  // and it is rethrown after the loop.
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (stop) continue;
    try {
      const Job& job = jobs[j];
      const SynthGlitch glitch = synth_glitch(class_index[job.class_slot], options.seed, job.index, options.windows);
      const fs::path folder = options.out / summary.classes[job.class_slot];
      for (std::size_t w = 0; w < options.windows.size(); ++w) {
        const int window = window_index(options.windows[w]);
        write_png(folder / spectrogram_name(glitch.ifo, glitch.id, window), glitch.images[w], options.png_compression);
      }
      std::lock_guard lock(mutex);
      ++done;
      if (progress) progress({done, jobs.size(), elapsed()});
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  }
  if (failure) std::rethrow_exception(failure);
  summary.images = jobs.size() * options.windows.size();
  summary.seconds = elapsed();
  return summary;
}

}  // namespace gg::data::synth

#include "data/synth/synth_dataset.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <initializer_list>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

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

// (class, split, index) takes 29 bits; XOR with a constant, multiplication by an odd number and
// x ^= x >> k are each one-to-one on [0, 2^59), and 62^10 > 2^59, so two glitches of one set never
// share an id (random ids from separate streams could, and then one file would overwrite another).
std::string synth_glitch_id(std::uint64_t seed, int class_index, SynthSplit split, std::uint64_t index) {
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 59) - 1;
  std::uint64_t x = (static_cast<std::uint64_t>(class_index) << 24) |
                    (static_cast<std::uint64_t>(split) << 22) | index;
  x ^= (seed * 0x9E3779B97F4A7C15ull) & kMask;
  for (std::uint64_t odd : {0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull}) {
    x = (x * odd) & kMask;
    x ^= x >> 29;
  }
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id(10, '0');
  for (char& c : id) {
    c = kAlphabet[x % 62];
    x /= 62;
  }
  return id;
}

void check_synth_options(const SynthDatasetOptions& o) {
  if (o.out.empty()) throw std::invalid_argument("synth: no output folder given");
  if (o.per_class == 0) throw std::invalid_argument("synth: --per-class must be at least 1");
  if ((o.validation_per_class == 0) != (o.test_per_class == 0)) {
    throw std::invalid_argument(fmt::format(
        "synth: --validation-per-class ({}) and --test-per-class ({}) go together: give both (balanced held-out "
        "splits in train/, validation/, test/) or neither (one set, no split folders)",
        o.validation_per_class, o.test_per_class));
  }
  const std::initializer_list<std::pair<const char*, std::size_t>> counts{
      {"--per-class", o.per_class}, {"--validation-per-class", o.validation_per_class}, {"--test-per-class", o.test_per_class}};
  for (const auto& [flag, count] : counts) {
    if (count > kSplitStride) throw std::invalid_argument(fmt::format("synth: {} must be at most {}", flag, kSplitStride));
  }
  if (!(o.imbalance >= 1)) throw std::invalid_argument("synth: --imbalance must be at least 1");
  std::set<std::string> seen;
  for (const std::string& name : o.classes) {
    glitch_class_index(name);
    if (!seen.insert(name).second) throw std::invalid_argument("synth: --classes names " + name + " twice");
  }
  if (o.windows.empty()) throw std::invalid_argument("synth: choose at least one time window");
  for (double w : o.windows) window_index(w);
}

namespace {

struct Job {
  std::size_t class_slot;
  SynthSplit split;
  std::uint64_t index;  // within the split
};

}  // namespace

SynthSummary write_synth_dataset(const SynthDatasetOptions& options,
                                 const std::function<void(const SynthProgress&)>& progress) {
  check_synth_options(options);
  SynthSummary summary;
  summary.classes = options.classes;
  if (summary.classes.empty()) summary.classes.assign(kGlitchClasses.begin(), kGlitchClasses.end());
  std::vector<int> class_index;
  for (const std::string& name : summary.classes) class_index.push_back(glitch_class_index(name));
  summary.counts = imbalanced_counts(options.per_class, summary.classes.size(), options.imbalance);
  summary.validation_per_class = options.validation_per_class;
  summary.test_per_class = options.test_per_class;

  const bool split_folders = options.test_per_class > 0;
  auto folder_of = [&](SynthSplit split, std::size_t class_slot) {
    const fs::path root = split_folders ? options.out / kSplitNames[static_cast<int>(split)] : options.out;
    return root / summary.classes[class_slot];
  };
  std::vector<Job> jobs;
  auto add_jobs = [&](SynthSplit split, std::size_t class_slot, std::size_t count) {
    fs::create_directories(folder_of(split, class_slot));
    for (std::size_t i = 0; i < count; ++i) jobs.push_back({class_slot, split, i});
  };
  for (std::size_t c = 0; c < summary.classes.size(); ++c) {
    add_jobs(SynthSplit::train, c, summary.counts[c]);
    if (split_folders) {
      add_jobs(SynthSplit::validation, c, options.validation_per_class);
      add_jobs(SynthSplit::test, c, options.test_per_class);
    }
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
      const int klass = class_index[job.class_slot];
      const std::uint64_t stream_index = static_cast<std::uint64_t>(job.split) * kSplitStride + job.index;
      const SynthGlitch glitch = synth_glitch(klass, options.seed, stream_index, options.windows, options.scan);
      const std::string id = synth_glitch_id(options.seed, klass, job.split, job.index);
      const fs::path folder = folder_of(job.split, job.class_slot);
      for (std::size_t w = 0; w < options.windows.size(); ++w) {
        const int window = window_index(options.windows[w]);
        write_png(folder / spectrogram_name(glitch.ifo, id, window), glitch.images[w], options.png_compression);
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
  summary.glitches = jobs.size();
  summary.images = jobs.size() * options.windows.size();
  summary.seconds = elapsed();
  return summary;
}

}  // namespace gg::data::synth

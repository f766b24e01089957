#pragma once
// The experiment of `glitchgan experiment`: the augmentation study repeated over training-set sizes
// per class and seeds, summarised as mean +- standard deviation per method and size. In `out`:
//   runs.csv        one row per (size, seed, method): accuracy, macro-F1, images, seconds
//   summary.csv     one row per (size, method): runs, mean and std of accuracy and macro-F1
//   summary.md      the same as a markdown table
//   accuracy.png, macro_f1.png   the metric vs size per method, error bars +-1 std
//   size-<n>/seed-<s>/           each study's folder (see augmentation_study.h)
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "study/augmentation_study.h"

namespace gg::study {

struct ExperimentOptions {
  std::vector<std::size_t> sizes{5, 10, 25, 50};  // training images per class (fewer where a class has fewer)
  int seeds = 5;
  std::uint64_t base_seed = 1;  // seed s of the run uses base_seed + s for the subset, the GAN and the classifiers
  StudyOptions study;           // study.out is set per run
  std::filesystem::path out;
};

struct ExperimentRun {
  std::size_t size = 0;
  std::uint64_t seed = 0;
  Method method = Method::real;
  double accuracy = 0, macro_f1 = 0;
  std::size_t train_images = 0, generated_images = 0;
  double seconds = 0;
};

struct ExperimentSummary {
  std::size_t size = 0;
  Method method = Method::real;
  int runs = 0;
  double accuracy_mean = 0, accuracy_std = 0, macro_f1_mean = 0, macro_f1_std = 0;
};

// Mean and sample standard deviation (n - 1; 0 for a single run) per (size, method), sizes ascending.
std::vector<ExperimentSummary> summarize(const std::vector<ExperimentRun>& runs);

std::string runs_csv(const std::vector<ExperimentRun>& runs);
std::string summary_csv(const std::vector<ExperimentSummary>& summary);
std::string summary_markdown(const std::vector<ExperimentSummary>& summary);

// `train_pool` is subsampled per (size, seed); validation and test stay fixed so runs compare.
// Writes everything listed above and returns the runs.
std::vector<ExperimentRun> run_experiment(const data::Dataset& train_pool, const data::Dataset& validation,
                                          const data::Dataset& test, const ExperimentOptions& options);

}  // namespace gg::study

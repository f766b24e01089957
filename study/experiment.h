#pragma once
// The experiment of `glitchgan experiment`: the augmentation study repeated over training-set sizes
// per class, seeds and real shares (StudyOptions::real_shares), summarised per (size, real share,
// method) as mean +- std over seeds and as the paired difference to method `real` (same size, seed
// and share, so the same real subset) with a 95% Student's t interval. In `out`:
//   runs.csv        one row per (size, seed, method, real share): accuracy, macro-F1, images,
//                   seconds, the study's GAN-test and GAN-train accuracy
//   summary.csv     one row per (size, real share, method): runs, mean and std of accuracy and
//                   macro-F1, paired differences to `real` with 95% intervals, std ratio to `real`
//   summary.md      the same as a markdown table
//   summary.json    the same for programs (see summary_json)
//   accuracy.png, macro_f1.png   the metric vs size per method, error bars +-1 std
//   delta_macro_f1.png           the paired macro-F1 difference to `real` vs size, 95% intervals
//   real_share.png               macro-F1 vs real share per (method, size); only for several shares
//   size-<n>/seed-<s>/           each study's folder (see augmentation_study.h)
// Over several ranks (`mpirun -np N glitchgan experiment`) the (size, seed) studies are dealt out
// round-robin, each study on one rank (its GAN and every method's classifier); each rank keeps
// its finished rows in runs.rank-<r>.csv, and rank 0 gathers them into runs.csv, in the order
// one process writes, and writes the same summaries.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/communicator.h"
#include "study/augmentation_study.h"
#include "study/experiment_statistics.h"

namespace gg::study {

struct ExperimentOptions {
  std::vector<std::size_t> sizes{5, 10, 25, 50};  // training images per class (fewer where a class has fewer)
  int seeds = 5;
  std::uint64_t base_seed = 1;  // seed s of the run uses base_seed + s for the subset, the GAN and the classifiers
  StudyOptions study;           // study.out is set per run
  std::filesystem::path out;
  // Take the (size, seed) studies already in out/runs.csv as done and run only the others, so an
  // experiment that stopped goes on (with the same flags: runs.csv does not hold them). Their
  // numbers come back as runs.csv wrote them, to 6 decimals. A study that runs goes on from the GAN
  // checkpoint in its folder when there is one (StudyOptions::resume_gan), so an experiment that
  // stopped mid-GAN, or a second one over the same GANs with other classifier settings, trains no
  // GAN again.
  bool resume = false;
  Communicator* communicator = nullptr;  // the ranks the studies are shared out over; nullptr: one process
};

struct ExperimentRun {
  std::size_t size = 0;
  std::uint64_t seed = 0;
  Method method = Method::real;
  double real_share = 1.0;
  double accuracy = 0, macro_f1 = 0;
  std::size_t train_images = 0, generated_images = 0;  // the training split's (the GAN's) real images
  double seconds = 0;
  // The study's GAN quality (the same for every method of one study); NaN when not measured.
  double gan_test_accuracy = std::numeric_limits<double>::quiet_NaN();
  double gan_train_accuracy = std::numeric_limits<double>::quiet_NaN();
};

struct ExperimentSummary {
  std::size_t size = 0;
  double real_share = 1.0;
  Method method = Method::real;
  int runs = 0;
  double accuracy_mean = 0, accuracy_std = 0, macro_f1_mean = 0, macro_f1_std = 0;
  // Paired differences (this method - `real`) over the seeds both ran; for `real` itself 0 with
  // interval [0, 0]. Without any pair the means are NaN; with one pair there is no interval.
  int delta_pairs = 0;
  MeanWithInterval delta_macro_f1, delta_accuracy;
  // std over seeds divided by `real`'s at the same size and share; NaN without `real` or when its std is 0.
  double macro_f1_std_ratio_vs_real = std::numeric_limits<double>::quiet_NaN();
  double accuracy_std_ratio_vs_real = std::numeric_limits<double>::quiet_NaN();
  // Means over the runs that measured them; NaN when none did.
  double gan_test_accuracy_mean = std::numeric_limits<double>::quiet_NaN();
  double gan_train_accuracy_mean = std::numeric_limits<double>::quiet_NaN();
};

// One row per (size, real share, method), ordered by size, share, then method as in known_methods().
// Means and sample standard deviations (n - 1; 0 for a single run) over seeds. A method is paired
// with `real` at the same (size, seed, real share); a seed whose `real` run is missing is left out
// of the differences (delta_pairs counts the pairs). Throws std::invalid_argument when one
// (size, seed, real share, method) appears twice, since its pairing would be ambiguous.
std::vector<ExperimentSummary> summarize(const std::vector<ExperimentRun>& runs);

std::string runs_csv(const std::vector<ExperimentRun>& runs);
// Reads what runs_csv wrote; throws std::invalid_argument naming the line that does not parse.
std::vector<ExperimentRun> parse_runs_csv(const std::string& text);
std::string summary_csv(const std::vector<ExperimentSummary>& summary);
std::string summary_markdown(const std::vector<ExperimentSummary>& summary);
// {"test_images_per_class": N, "rows": [{"size", "real_share", "method", "runs", "accuracy_mean",
// "accuracy_std", "macro_f1_mean", "macro_f1_std", "delta_pairs", "delta_macro_f1_vs_real_mean",
// "delta_macro_f1_vs_real_ci95": [lo, hi], "delta_accuracy_vs_real_mean",
// "delta_accuracy_vs_real_ci95", "macro_f1_std_ratio_vs_real", "accuracy_std_ratio_vs_real",
// "gan_test_accuracy_mean", "gan_train_accuracy_mean"}]}; NaN numbers and missing intervals are null.
nlohmann::json summary_json(const std::vector<ExperimentSummary>& summary, std::size_t test_images_per_class);

// `train_pool` is subsampled per (size, seed); validation and test stay fixed so runs compare.
// Writes everything listed above and returns the runs (on rank 0: all of them, in the order of
// options.sizes, then seed; elsewhere: those the rank ran).
std::vector<ExperimentRun> run_experiment(const data::Dataset& train_pool, const data::Dataset& validation,
                                          const data::Dataset& test, const ExperimentOptions& options);

}  // namespace gg::study

#include "study/experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "data/png_io.h"
#include "data/splits.h"
#include "engine/posix_file.h"
#include "report/chart.h"

namespace gg::study {

namespace {

struct MeanStd {
  double mean = 0, std = 0;
};

MeanStd mean_std(const std::vector<double>& v) {
  MeanStd r;
  if (v.empty()) return r;
  r.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - r.mean) * (x - r.mean);
    r.std = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return r;
}

data::Image metric_chart(const std::vector<ExperimentSummary>& summary, bool accuracy) {
  std::vector<report::Series> series;
  for (Method m : all_methods()) {
    report::Series s{.label = method_name(m), .x = {}, .y = {}, .error = {}};
    for (const ExperimentSummary& row : summary) {
      if (row.method != m) continue;
      s.x.push_back(static_cast<double>(row.size));
      s.y.push_back(accuracy ? 100 * row.accuracy_mean : row.macro_f1_mean);
      s.error.push_back(accuracy ? 100 * row.accuracy_std : row.macro_f1_std);
    }
    if (!s.x.empty()) series.push_back(std::move(s));
  }
  report::ChartOptions o;
  o.title = accuracy ? "Test accuracy vs training images per class" : "Test macro-F1 vs training images per class";
  o.x_label = "real training images per class";
  o.y_label = accuracy ? "accuracy (%), mean +- std over seeds" : "macro-F1, mean +- std over seeds";
  o.log_x = true;
  return report::line_chart(series, o);
}

}  // namespace

std::vector<ExperimentSummary> summarize(const std::vector<ExperimentRun>& runs) {
  std::map<std::pair<std::size_t, int>, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (const ExperimentRun& r : runs) {
    auto& g = groups[{r.size, static_cast<int>(r.method)}];
    g.first.push_back(r.accuracy);
    g.second.push_back(r.macro_f1);
  }
  std::vector<ExperimentSummary> out;
  for (const auto& [key, values] : groups) {
    const MeanStd acc = mean_std(values.first), f1 = mean_std(values.second);
    out.push_back({.size = key.first,
                   .method = static_cast<Method>(key.second),
                   .runs = static_cast<int>(values.first.size()),
                   .accuracy_mean = acc.mean,
                   .accuracy_std = acc.std,
                   .macro_f1_mean = f1.mean,
                   .macro_f1_std = f1.std});
  }
  return out;
}

std::string runs_csv(const std::vector<ExperimentRun>& runs) {
  std::string s = "size,seed,method,accuracy,macro_f1,train_images,generated_images,seconds\n";
  for (const ExperimentRun& r : runs) {
    s += fmt::format("{},{},{},{:.6f},{:.6f},{},{},{:.1f}\n", r.size, r.seed, method_name(r.method), r.accuracy, r.macro_f1,
                     r.train_images, r.generated_images, r.seconds);
  }
  return s;
}

std::string summary_csv(const std::vector<ExperimentSummary>& summary) {
  std::string s = "size,method,runs,accuracy_mean,accuracy_std,macro_f1_mean,macro_f1_std\n";
  for (const ExperimentSummary& r : summary) {
    s += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f}\n", r.size, method_name(r.method), r.runs, r.accuracy_mean,
                     r.accuracy_std, r.macro_f1_mean, r.macro_f1_std);
  }
  return s;
}

std::string summary_markdown(const std::vector<ExperimentSummary>& summary) {
  std::string s = "| images per class | method | runs | accuracy (%) | macro-F1 |\n|---:|---|---:|---:|---:|\n";
  for (const ExperimentSummary& r : summary) {
    s += fmt::format("| {} | {} | {} | {:.1f} ± {:.1f} | {:.3f} ± {:.3f} |\n", r.size, method_name(r.method), r.runs,
                     100 * r.accuracy_mean, 100 * r.accuracy_std, r.macro_f1_mean, r.macro_f1_std);
  }
  return s;
}

std::vector<ExperimentRun> run_experiment(const data::Dataset& train_pool, const data::Dataset& validation,
                                          const data::Dataset& test, const ExperimentOptions& options) {
  if (options.sizes.empty() || options.seeds <= 0) throw std::invalid_argument("experiment: needs sizes and seeds > 0");
  for (std::size_t size : options.sizes)
    if (size == 0) throw std::invalid_argument("experiment: --sizes must be positive");
  std::filesystem::create_directories(options.out);
  std::vector<ExperimentRun> runs;
  const auto print = options.study.print;
  for (std::size_t size : options.sizes) {
    for (int s = 0; s < options.seeds; ++s) {
      const std::uint64_t seed = options.base_seed + static_cast<std::uint64_t>(s);
      if (print) print(fmt::format("=== experiment: {} images per class, seed {} ===", size, seed));
      StudyOptions study = options.study;
      study.out = options.out / fmt::format("size-{}", size) / fmt::format("seed-{}", seed);
      study.gan.seed = seed;
      study.classifier.seed = seed;
      const data::Dataset train = data::take_per_class(train_pool, size, seed);
      const StudyResult result = run_study(train, validation, test, study);
      const std::size_t generated =
          std::accumulate(result.generated_counts.begin(), result.generated_counts.end(), std::size_t{0});
      for (const MethodResult& m : result.methods) {
        runs.push_back({.size = size,
                        .seed = seed,
                        .method = m.method,
                        .accuracy = m.test.accuracy,
                        .macro_f1 = m.test.macro_f1,
                        .train_images = train.size(),
                        .generated_images = generated,
                        .seconds = m.seconds});
      }
      // Written after every study, so a long experiment that stops keeps what it finished.
      write_text_file_atomic(options.out / "runs.csv", runs_csv(runs));
    }
  }
  const std::vector<ExperimentSummary> summary = summarize(runs);
  write_text_file_atomic(options.out / "summary.csv", summary_csv(summary));
  write_text_file_atomic(options.out / "summary.md", summary_markdown(summary));
  data::write_png(options.out / "accuracy.png", metric_chart(summary, true));
  data::write_png(options.out / "macro_f1.png", metric_chart(summary, false));
  return runs;
}

}  // namespace gg::study

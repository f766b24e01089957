#include "study/experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "data/png_io.h"
#include "data/splits.h"
#include "engine/posix_file.h"
#include "report/chart.h"
#include "study/json_values.h"

namespace gg::study {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The mean of the finite values; NaN when there is none (e.g. GAN quality that was not measured).
double finite_mean(const std::vector<double>& values) {
  std::vector<double> finite;
  std::copy_if(values.begin(), values.end(), std::back_inserter(finite), [](double v) { return std::isfinite(v); });
  return finite.empty() ? nan : mean_std(finite).mean;
}

double ratio_or_nan(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : nan; }

std::string share_text(double share) { return fmt::format("{:g}", share); }

// "n/a" for what is undefined (a NaN mean, a missing interval), else `value` in `format`.
std::string number_or_na(double value, const char* format) {
  return std::isfinite(value) ? fmt::format(fmt::runtime(format), value) : "n/a";
}

// "+0.020 [-0.010, +0.050]" with every number scaled by `scale`; "[n/a]" without an interval.
std::string delta_text(const MeanWithInterval& delta, double scale, const char* format) {
  if (!std::isfinite(delta.mean)) return "n/a";
  const std::string mean = fmt::format(fmt::runtime(format), scale * delta.mean);
  if (!delta.ci95) return mean + " [n/a]";
  return fmt::format("{} [{}, {}]", mean, fmt::format(fmt::runtime(format), scale * delta.ci95->low),
                     fmt::format(fmt::runtime(format), scale * delta.ci95->high));
}

std::string csv_delta(const MeanWithInterval& delta) {
  return fmt::format("{},{},{}", number_or_na(delta.mean, "{:.6f}"),
                     delta.ci95 ? fmt::format("{:.6f}", delta.ci95->low) : "n/a",
                     delta.ci95 ? fmt::format("{:.6f}", delta.ci95->high) : "n/a");
}


nlohmann::json interval_or_null(const std::optional<Interval>& interval) {
  return interval ? nlohmann::json::array({interval->low, interval->high}) : nlohmann::json(nullptr);
}

std::set<double> real_shares_of(const std::vector<ExperimentSummary>& summary) {
  std::set<double> shares;
  for (const ExperimentSummary& row : summary) shares.insert(row.real_share);
  return shares;
}

// "real+gan" with a single real share, "real+gan, real share 0.25" with several.
std::string series_label(Method method, double share, bool several_shares) {
  return several_shares ? fmt::format("{}, real share {}", method_name(method), share_text(share)) : method_name(method);
}

data::Image metric_chart(const std::vector<ExperimentSummary>& summary, bool accuracy) {
  const std::set<double> shares = real_shares_of(summary);
  std::vector<report::Series> series;
  for (double share : shares) {
    for (Method m : known_methods()) {
      report::Series s{.label = series_label(m, share, shares.size() > 1), .x = {}, .y = {}, .error = {}};
      for (const ExperimentSummary& row : summary) {
        if (row.method != m || row.real_share != share) continue;
        s.x.push_back(static_cast<double>(row.size));
        s.y.push_back(accuracy ? 100 * row.accuracy_mean : row.macro_f1_mean);
        s.error.push_back(accuracy ? 100 * row.accuracy_std : row.macro_f1_std);
      }
      if (!s.x.empty()) series.push_back(std::move(s));
    }
  }
  report::ChartOptions o;
  o.title = accuracy ? "Test accuracy vs training images per class" : "Test macro-F1 vs training images per class";
  o.x_label = "real training images per class";
  o.y_label = accuracy ? "accuracy (%), mean +- std over seeds" : "macro-F1, mean +- std over seeds";
  o.log_x = true;
  return report::line_chart(series, o);
}

// The paired macro-F1 difference to `real` per non-real method, bars the 95% interval (none for
// one seed). Empty when no method has a difference to draw.
std::vector<report::Series> delta_series(const std::vector<ExperimentSummary>& summary) {
  const std::set<double> shares = real_shares_of(summary);
  std::vector<report::Series> series;
  for (double share : shares) {
    for (Method m : known_methods()) {
      if (m == Method::real) continue;
      report::Series s{.label = series_label(m, share, shares.size() > 1), .x = {}, .y = {}, .error = {}};
      for (const ExperimentSummary& row : summary) {
        if (row.method != m || row.real_share != share || !std::isfinite(row.delta_macro_f1.mean)) continue;
        s.x.push_back(static_cast<double>(row.size));
        s.y.push_back(row.delta_macro_f1.mean);
        s.error.push_back(row.delta_macro_f1.ci95 ? row.delta_macro_f1.ci95->high - row.delta_macro_f1.mean : 0);
      }
      if (!s.x.empty()) series.push_back(std::move(s));
    }
  }
  return series;
}

data::Image delta_chart(const std::vector<report::Series>& series) {
  report::ChartOptions o;
  o.title = "Paired macro-F1 difference to real vs training images per class";
  o.x_label = "real training images per class";
  o.y_label = "macro-F1 - real's (same seed), 95% CI";
  o.log_x = true;
  return report::line_chart(series, o);
}

data::Image real_share_chart(const std::vector<ExperimentSummary>& summary) {
  std::set<std::size_t> sizes;
  for (const ExperimentSummary& row : summary) sizes.insert(row.size);
  std::vector<report::Series> series;
  for (Method m : known_methods()) {
    for (std::size_t size : sizes) {
      report::Series s{.label = fmt::format("{}, {} per class", method_name(m), size), .x = {}, .y = {}, .error = {}};
      for (const ExperimentSummary& row : summary) {
        if (row.method != m || row.size != size) continue;
        s.x.push_back(row.real_share);
        s.y.push_back(row.macro_f1_mean);
        s.error.push_back(row.macro_f1_std);
      }
      if (!s.x.empty()) series.push_back(std::move(s));
    }
  }
  report::ChartOptions o;
  o.title = "Test macro-F1 vs share of the real training images";
  o.x_label = "share of each class's real training images";
  o.y_label = "macro-F1, mean +- std over seeds";
  return report::line_chart(series, o);
}

// The rows as exact JSON, for gathering them from the ranks (runs.csv keeps 6 decimals).
std::string exact_rows(const std::vector<ExperimentRun>& runs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ExperimentRun& r : runs)
    rows.push_back({r.size, r.seed, method_name(r.method), r.real_share, r.accuracy, r.macro_f1, r.train_images,
                    r.generated_images, r.seconds, number_or_null(r.gan_test_accuracy), number_or_null(r.gan_train_accuracy)});
  return rows.dump();
}

std::vector<ExperimentRun> parse_exact_rows(const std::string& text) {
  const auto number = [](const nlohmann::json& v) { return v.is_null() ? nan : v.get<double>(); };
  std::vector<ExperimentRun> runs;
  for (const nlohmann::json& row : nlohmann::json::parse(text))
    runs.push_back({.size = row[0].get<std::size_t>(),
                    .seed = row[1].get<std::uint64_t>(),
                    .method = parse_methods(row[2].get<std::string>()).at(0),
                    .real_share = row[3].get<double>(),
                    .accuracy = row[4].get<double>(),
                    .macro_f1 = row[5].get<double>(),
                    .train_images = row[6].get<std::size_t>(),
                    .generated_images = row[7].get<std::size_t>(),
                    .seconds = row[8].get<double>(),
                    .gan_test_accuracy = number(row[9]),
                    .gan_train_accuracy = number(row[10])});
  return runs;
}

bool has_study(const std::vector<ExperimentRun>& runs, std::size_t size, std::uint64_t seed) {
  return std::any_of(runs.begin(), runs.end(), [&](const ExperimentRun& r) { return r.size == size && r.seed == seed; });
}

// The rows of `done` and `ran` ordered as one process runs the studies (by the position of the
// size in `sizes`, then seed); within a study, in the order its methods ran.
std::vector<ExperimentRun> in_study_order(const std::vector<ExperimentRun>& done, const std::vector<ExperimentRun>& ran,
                                          const std::vector<std::size_t>& sizes) {
  std::vector<ExperimentRun> all = done;
  all.insert(all.end(), ran.begin(), ran.end());
  const auto position = [&](std::size_t size) { return std::find(sizes.begin(), sizes.end(), size) - sizes.begin(); };
  std::stable_sort(all.begin(), all.end(), [&](const ExperimentRun& a, const ExperimentRun& b) {
    return std::pair(position(a.size), a.seed) < std::pair(position(b.size), b.seed);
  });
  return all;
}

}  // namespace

std::vector<ExperimentSummary> summarize(const std::vector<ExperimentRun>& runs) {
  using GroupKey = std::tuple<std::size_t, double, int>;                // size, real share, method
  using RunKey = std::tuple<std::size_t, std::uint64_t, double, int>;  // size, seed, real share, method
  std::map<GroupKey, std::vector<const ExperimentRun*>> groups;
  std::map<RunKey, const ExperimentRun*> by_run;
  for (const ExperimentRun& r : runs) {
    if (!by_run.emplace(RunKey{r.size, r.seed, r.real_share, static_cast<int>(r.method)}, &r).second)
      throw std::invalid_argument(fmt::format("experiment: two runs of {} at size {}, seed {}, real share {}",
                                              method_name(r.method), r.size, r.seed, share_text(r.real_share)));
    groups[{r.size, r.real_share, static_cast<int>(r.method)}].push_back(&r);
  }
  std::vector<ExperimentSummary> out;
  for (const auto& [key, group] : groups) {
    const auto [size, share, method] = key;
    std::vector<double> accuracy, f1, gan_test, gan_train, delta_accuracy, delta_f1;
    for (const ExperimentRun* r : group) {
      accuracy.push_back(r->accuracy);
      f1.push_back(r->macro_f1);
      gan_test.push_back(r->gan_test_accuracy);
      gan_train.push_back(r->gan_train_accuracy);
      const auto real = by_run.find(RunKey{size, r->seed, share, static_cast<int>(Method::real)});
      if (real == by_run.end()) continue;
      delta_accuracy.push_back(r->accuracy - real->second->accuracy);
      delta_f1.push_back(r->macro_f1 - real->second->macro_f1);
    }
    const MeanStd acc = mean_std(accuracy), macro_f1 = mean_std(f1);
    ExperimentSummary row{.size = size,
                          .real_share = share,
                          .method = static_cast<Method>(method),
                          .runs = static_cast<int>(group.size()),
                          .accuracy_mean = acc.mean,
                          .accuracy_std = acc.std,
                          .macro_f1_mean = macro_f1.mean,
                          .macro_f1_std = macro_f1.std,
                          .delta_pairs = static_cast<int>(delta_f1.size()),
                          .delta_macro_f1 = {.mean = nan, .ci95 = std::nullopt},
                          .delta_accuracy = {.mean = nan, .ci95 = std::nullopt},
                          .gan_test_accuracy_mean = finite_mean(gan_test),
                          .gan_train_accuracy_mean = finite_mean(gan_train)};
    if (row.method == Method::real) {
      // Each run against itself: exactly 0, with no spread to estimate.
      row.delta_macro_f1 = row.delta_accuracy = {.mean = 0, .ci95 = Interval{.low = 0, .high = 0}};
    } else if (!delta_f1.empty()) {
      row.delta_macro_f1 = mean_with_ci95(delta_f1);
      row.delta_accuracy = mean_with_ci95(delta_accuracy);
    }
    out.push_back(row);
  }
  for (ExperimentSummary& row : out) {
    const auto real = std::find_if(out.begin(), out.end(), [&](const ExperimentSummary& r) {
      return r.method == Method::real && r.size == row.size && r.real_share == row.real_share;
    });
    if (real == out.end()) continue;
    row.macro_f1_std_ratio_vs_real = ratio_or_nan(row.macro_f1_std, real->macro_f1_std);
    row.accuracy_std_ratio_vs_real = ratio_or_nan(row.accuracy_std, real->accuracy_std);
  }
  return out;
}

std::string runs_csv(const std::vector<ExperimentRun>& runs) {
  std::string s = "size,seed,real_share,method,accuracy,macro_f1,train_images,generated_images,seconds,"
                  "gan_test_accuracy,gan_train_accuracy\n";
  for (const ExperimentRun& r : runs) {
    s += fmt::format("{},{},{},{},{:.6f},{:.6f},{},{},{:.1f},{},{}\n", r.size, r.seed, share_text(r.real_share),
                     method_name(r.method), r.accuracy, r.macro_f1, r.train_images, r.generated_images, r.seconds,
                     number_or_na(r.gan_test_accuracy, "{:.6f}"), number_or_na(r.gan_train_accuracy, "{:.6f}"));
  }
  return s;
}

std::vector<ExperimentRun> parse_runs_csv(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  if (const std::string header = runs_csv({}); line + "\n" != header)
    throw std::invalid_argument("runs.csv: the header is not " + header);
  auto number = [](const std::string& field) {
    return field == "n/a" ? std::numeric_limits<double>::quiet_NaN() : std::stod(field);
  };
  std::vector<ExperimentRun> runs;
  for (int line_number = 2; std::getline(lines, line); ++line_number) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
    try {
      if (f.size() != 11) throw std::invalid_argument(fmt::format("{} fields, not 11", f.size()));
      const std::vector<Method> method = parse_methods(f[3]);
      if (method.size() != 1) throw std::invalid_argument("one method per row");
      runs.push_back({.size = std::stoul(f[0]),
                      .seed = std::stoull(f[1]),
                      .method = method[0],
                      .real_share = std::stod(f[2]),
                      .accuracy = std::stod(f[4]),
                      .macro_f1 = std::stod(f[5]),
                      .train_images = std::stoul(f[6]),
                      .generated_images = std::stoul(f[7]),
                      .seconds = std::stod(f[8]),
                      .gan_test_accuracy = number(f[9]),
                      .gan_train_accuracy = number(f[10])});
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("runs.csv line {}: {} ({})", line_number, e.what(), line));
    }
  }
  return runs;
}

std::string summary_csv(const std::vector<ExperimentSummary>& summary) {
  std::string s = "size,real_share,method,runs,accuracy_mean,accuracy_std,macro_f1_mean,macro_f1_std,delta_pairs,"
                  "delta_macro_f1_vs_real_mean,delta_macro_f1_vs_real_ci95_low,delta_macro_f1_vs_real_ci95_high,"
                  "delta_accuracy_vs_real_mean,delta_accuracy_vs_real_ci95_low,delta_accuracy_vs_real_ci95_high,"
                  "macro_f1_std_ratio_vs_real,accuracy_std_ratio_vs_real,gan_test_accuracy_mean,gan_train_accuracy_mean\n";
  for (const ExperimentSummary& r : summary) {
    s += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{},{},{}\n", r.size, share_text(r.real_share),
                     method_name(r.method), r.runs, r.accuracy_mean, r.accuracy_std, r.macro_f1_mean, r.macro_f1_std,
                     r.delta_pairs, csv_delta(r.delta_macro_f1), csv_delta(r.delta_accuracy),
                     number_or_na(r.macro_f1_std_ratio_vs_real, "{:.6f}"),
                     number_or_na(r.accuracy_std_ratio_vs_real, "{:.6f}"), number_or_na(r.gan_test_accuracy_mean, "{:.6f}"),
                     number_or_na(r.gan_train_accuracy_mean, "{:.6f}"));
  }
  return s;
}

std::string summary_markdown(const std::vector<ExperimentSummary>& summary) {
  std::string s =
      "| images per class | real share | method | runs | accuracy (%) | macro-F1 | Δ macro-F1 vs real [95% CI] | "
      "Δ accuracy vs real (pp) [95% CI] | macro-F1 std / real's |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|\n";
  for (const ExperimentSummary& r : summary) {
    s += fmt::format("| {} | {} | {} | {} | {:.1f} ± {:.1f} | {:.3f} ± {:.3f} | {} | {} | {} |\n", r.size,
                     share_text(r.real_share), method_name(r.method), r.runs, 100 * r.accuracy_mean, 100 * r.accuracy_std,
                     r.macro_f1_mean, r.macro_f1_std, delta_text(r.delta_macro_f1, 1, "{:+.3f}"),
                     delta_text(r.delta_accuracy, 100, "{:+.1f}"), number_or_na(r.macro_f1_std_ratio_vs_real, "{:.2f}"));
  }
  s += "\nΔ: the paired difference to `real` at the same size, seed and real share (the same real images), "
       "mean over seeds with a 95% Student's t interval (n/a for a single seed); ± is the std over seeds.\n";
  return s;
}

nlohmann::json summary_json(const std::vector<ExperimentSummary>& summary, std::size_t test_images_per_class) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ExperimentSummary& r : summary) {
    rows.push_back({{"size", r.size},
                    {"real_share", r.real_share},
                    {"method", method_name(r.method)},
                    {"runs", r.runs},
                    {"accuracy_mean", r.accuracy_mean},
                    {"accuracy_std", r.accuracy_std},
                    {"macro_f1_mean", r.macro_f1_mean},
                    {"macro_f1_std", r.macro_f1_std},
                    {"delta_pairs", r.delta_pairs},
                    {"delta_macro_f1_vs_real_mean", number_or_null(r.delta_macro_f1.mean)},
                    {"delta_macro_f1_vs_real_ci95", interval_or_null(r.delta_macro_f1.ci95)},
                    {"delta_accuracy_vs_real_mean", number_or_null(r.delta_accuracy.mean)},
                    {"delta_accuracy_vs_real_ci95", interval_or_null(r.delta_accuracy.ci95)},
                    {"macro_f1_std_ratio_vs_real", number_or_null(r.macro_f1_std_ratio_vs_real)},
                    {"accuracy_std_ratio_vs_real", number_or_null(r.accuracy_std_ratio_vs_real)},
                    {"gan_test_accuracy_mean", number_or_null(r.gan_test_accuracy_mean)},
                    {"gan_train_accuracy_mean", number_or_null(r.gan_train_accuracy_mean)}});
  }
  return {{"test_images_per_class", test_images_per_class}, {"rows", std::move(rows)}};
}

std::vector<ExperimentRun> run_experiment(const data::Dataset& train_pool, const data::Dataset& validation,
                                          const data::Dataset& test, const ExperimentOptions& options) {
  if (options.sizes.empty() || options.seeds <= 0) throw std::invalid_argument("experiment: needs sizes and seeds > 0");
  for (std::size_t size : options.sizes)
    if (size == 0) throw std::invalid_argument("experiment: --sizes must be positive");
  if (options.study.real_shares.empty()) throw std::invalid_argument("experiment: needs at least one real share");
  for (double share : options.study.real_shares)
    if (!(share > 0 && share <= 1))
      throw std::invalid_argument(fmt::format("experiment: real shares must be in (0, 1], got {}", share));
  std::filesystem::create_directories(options.out);
  const auto print = options.study.print;
  auto in_grid = [&](std::size_t size, std::uint64_t seed) {
    return std::find(options.sizes.begin(), options.sizes.end(), size) != options.sizes.end() &&
           seed >= options.base_seed && seed < options.base_seed + static_cast<std::uint64_t>(options.seeds);
  };
  Communicator& communicator = options.communicator != nullptr ? *options.communicator : single_process();
  const int rank = communicator.rank(), ranks = communicator.size();
  const std::filesystem::path rank_file = options.out / fmt::format("runs.rank-{}.csv", rank);
  std::vector<ExperimentRun> done;  // studies finished before, by this experiment or one cut short
  if (options.resume) {
    std::vector<std::filesystem::path> files{options.out / "runs.csv"};
    for (int r = 0; r < ranks; ++r) files.push_back(options.out / fmt::format("runs.rank-{}.csv", r));
    for (const std::filesystem::path& file : files) {
      if (!std::filesystem::exists(file)) continue;
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      try {
        const std::vector<ExperimentRun> before = done;  // a study in two files counts once
        for (const ExperimentRun& r : parse_runs_csv(text.str()))
          if (in_grid(r.size, r.seed) && !has_study(before, r.size, r.seed)) done.push_back(r);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(file.string() + ": " + e.what());
      }
    }
  }
  std::vector<ExperimentRun> runs;    // this rank's
  std::size_t study_index = 0;
  for (std::size_t size : options.sizes) {
    for (int s = 0; s < options.seeds; ++s) {
      const std::uint64_t seed = options.base_seed + static_cast<std::uint64_t>(s);
      if (has_study(done, size, seed)) {
        if (print && rank == 0) print(fmt::format("=== experiment: {} images per class, seed {}: in runs.csv, resumed ===", size, seed));
        continue;
      }
      if (study_index++ % static_cast<std::size_t>(ranks) != static_cast<std::size_t>(rank)) continue;  // another rank's
      if (print) print(fmt::format("=== experiment: {} images per class, seed {} ===", size, seed));
      StudyOptions study = options.study;
      study.out = options.out / fmt::format("size-{}", size) / fmt::format("seed-{}", seed);
      // One synthetic pre-training set for all the studies (one per rank: none waits for another's).
      if (study.synth_dir.empty())
        study.synth_dir = options.out / (ranks == 1 ? std::string("synth-pretrain-data") : fmt::format("synth-pretrain-data-rank-{}", rank));
      study.gan.seed = seed;
      study.resume_gan = options.resume;  // a study cut short goes on from its GAN checkpoint
      study.classifier.seed = seed;
      const data::Dataset train = data::take_per_class(train_pool, size, seed);
      const StudyResult result = run_study(train, validation, test, study);
      const std::size_t generated =
          std::accumulate(result.generated_counts.begin(), result.generated_counts.end(), std::size_t{0});
      for (const MethodResult& m : result.methods) {
        runs.push_back({.size = size,
                        .seed = seed,
                        .method = m.method,
                        .real_share = m.real_share,
                        .accuracy = m.test.accuracy,
                        .macro_f1 = m.test.macro_f1,
                        .train_images = train.size(),
                        .generated_images = generated,
                        .seconds = m.seconds,
                        .gan_test_accuracy = result.gan_test_accuracy,
                        .gan_train_accuracy = result.gan_train_accuracy});
      }
      // Written after every study, with the rows resumed from, so a long experiment that stops
      // (even twice) keeps what it finished.
      write_text_file_atomic(ranks == 1 ? options.out / "runs.csv" : rank_file,
                             runs_csv(in_study_order(done, runs, options.sizes)));
    }
  }
  if (ranks > 1) {
    const std::vector<std::string> texts = communicator.gather(exact_rows(runs), 0);
    if (rank != 0) return runs;
    std::vector<ExperimentRun> all;
    for (const std::string& text : texts)
      for (const ExperimentRun& r : parse_exact_rows(text)) all.push_back(r);
    runs = std::move(all);
  }
  runs = in_study_order(done, runs, options.sizes);
  write_text_file_atomic(options.out / "runs.csv", runs_csv(runs));
  for (int r = 0; r < ranks && ranks > 1; ++r) std::filesystem::remove(options.out / fmt::format("runs.rank-{}.csv", r));
  const std::vector<ExperimentSummary> summary = summarize(runs);
  // The smallest class of the test split: the fewest images a per-class recall, and so macro-F1,
  // rests on, which bounds how fine a difference between methods the test split can resolve.
  const std::vector<std::size_t> test_counts = test.class_counts();
  const std::size_t test_images_per_class = test_counts.empty() ? 0 : *std::min_element(test_counts.begin(), test_counts.end());
  write_text_file_atomic(options.out / "summary.csv", summary_csv(summary));
  write_text_file_atomic(options.out / "summary.md", summary_markdown(summary));
  write_text_file_atomic(options.out / "summary.json", summary_json(summary, test_images_per_class).dump(2) + "\n");
  data::write_png(options.out / "accuracy.png", metric_chart(summary, true));
  data::write_png(options.out / "macro_f1.png", metric_chart(summary, false));
  if (const std::vector<report::Series> deltas = delta_series(summary); !deltas.empty())
    data::write_png(options.out / "delta_macro_f1.png", delta_chart(deltas));
  if (real_shares_of(summary).size() > 1) data::write_png(options.out / "real_share.png", real_share_chart(summary));
  return runs;
}

}  // namespace gg::study

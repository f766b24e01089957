// The experiment's statistics: Student's t intervals against hand-computed cases, the pairing of
// every method with `real` at the same size, seed and real share, and every field of summary.json.
#include <doctest/doctest.h>

#include <cmath>

#include "study/experiment.h"
#include "study/experiment_statistics.h"

using namespace gg;
using study::ExperimentRun;
using study::Method;

namespace {

ExperimentRun run(std::size_t size, std::uint64_t seed, Method method, double macro_f1, double real_share = 1.0) {
  return {.size = size, .seed = seed, .method = method, .real_share = real_share, .accuracy = macro_f1, .macro_f1 = macro_f1};
}

const study::ExperimentSummary& row(const std::vector<study::ExperimentSummary>& summary, std::size_t size,
                                    Method method, double real_share = 1.0) {
  for (const study::ExperimentSummary& r : summary)
    if (r.size == size && r.method == method && r.real_share == real_share) return r;
  throw std::invalid_argument("no such summary row");
}

}  // namespace

TEST_CASE("experiment statistics: Student's t quantiles and 95% intervals match hand-computed cases") {
  CHECK(study::student_t_quantile(0.975, 2) == doctest::Approx(4.302653).epsilon(1e-6));
  CHECK(study::student_t_quantile(0.975, 1) == doctest::Approx(12.706205).epsilon(1e-6));
  CHECK(study::student_t_quantile(0.975, 4) == doctest::Approx(2.776445).epsilon(1e-6));
  CHECK(study::student_t_quantile(0.5, 3) == doctest::Approx(0.0));
  CHECK_THROWS_AS(study::student_t_quantile(0.975, 0), std::invalid_argument);
  CHECK_THROWS_AS(study::student_t_quantile(1.0, 3), std::invalid_argument);

  // {0.1, 0.2, 0.3}: mean 0.2, s = 0.1, half-width 4.302653 * 0.1 / sqrt(3) = 0.248414.
  const std::vector<double> three{0.1, 0.2, 0.3};
  const study::MeanWithInterval a = study::mean_with_ci95(three);
  CHECK(a.mean == doctest::Approx(0.2));
  REQUIRE(a.ci95);
  CHECK(a.ci95->low == doctest::Approx(0.2 - 0.248414).epsilon(1e-5));
  CHECK(a.ci95->high == doctest::Approx(0.2 + 0.248414).epsilon(1e-5));

  // {1, 3}: mean 2, s = sqrt(2), half-width 12.706205 * sqrt(2) / sqrt(2).
  const std::vector<double> two{1, 3};
  const study::MeanWithInterval b = study::mean_with_ci95(two);
  REQUIRE(b.ci95);
  CHECK(b.ci95->high - b.mean == doctest::Approx(12.706205).epsilon(1e-6));

  const std::vector<double> equal{0.4, 0.4, 0.4};  // no spread: the interval is the point
  CHECK(study::mean_with_ci95(equal).ci95->low == doctest::Approx(0.4));
  CHECK(study::mean_with_ci95(equal).ci95->high == doctest::Approx(0.4));

  const std::vector<double> one{0.25};  // n - 1 = 0 degrees of freedom: no interval
  CHECK(study::mean_with_ci95(one).mean == doctest::Approx(0.25));
  CHECK_FALSE(study::mean_with_ci95(one).ci95);
  CHECK_THROWS_AS(study::mean_with_ci95(std::vector<double>{}), std::invalid_argument);
}

TEST_CASE("experiment statistics: a method is paired with real at the same size, seed and real share") {
  // real+gan listed before real and seeds out of order: pairing goes by key, not by position.
  const std::vector<ExperimentRun> runs{
      run(10, 3, Method::real_plus_gan, 0.9),   run(10, 1, Method::real_plus_gan, 0.6),
      run(10, 2, Method::real_plus_gan, 0.9),   run(10, 1, Method::real, 0.5),
      run(10, 2, Method::real, 0.7),            run(10, 3, Method::real, 0.6),
      run(10, 1, Method::real, 0.3, 0.5),       run(10, 2, Method::real, 0.3, 0.5),
      run(10, 1, Method::gan_pretrain, 0.4, 0.5), run(10, 2, Method::gan_pretrain, 0.4, 0.5),
  };
  const std::vector<study::ExperimentSummary> summary = study::summarize(runs);
  REQUIRE(summary.size() == 4);
  CHECK(summary[0].real_share == 0.5);  // by size, then real share, then method
  CHECK(summary[0].method == Method::real);
  CHECK(summary[1].method == Method::gan_pretrain);
  CHECK(summary[2].real_share == 1.0);

  // Differences per seed 0.1, 0.2, 0.3: the paired interval (unpaired, the spread of both
  // methods' scores would widen it).
  const study::ExperimentSummary& mixed = row(summary, 10, Method::real_plus_gan);
  CHECK(mixed.delta_pairs == 3);
  CHECK(mixed.delta_macro_f1.mean == doctest::Approx(0.2));
  REQUIRE(mixed.delta_macro_f1.ci95);
  CHECK(mixed.delta_macro_f1.ci95->low == doctest::Approx(-0.048414).epsilon(1e-5));
  CHECK(mixed.delta_macro_f1.ci95->high == doctest::Approx(0.448414).epsilon(1e-5));
  CHECK(mixed.delta_accuracy.mean == doctest::Approx(0.2));
  // std over seeds: real+gan sqrt(0.03) = 0.173205, real 0.1.
  CHECK(mixed.macro_f1_std_ratio_vs_real == doctest::Approx(1.732051));

  // At share 0.5 the baseline is real at share 0.5 (0.3), not at share 1.
  const study::ExperimentSummary& pretrain = row(summary, 10, Method::gan_pretrain, 0.5);
  CHECK(pretrain.delta_macro_f1.mean == doctest::Approx(0.1));
  REQUIRE(pretrain.delta_macro_f1.ci95);
  CHECK(pretrain.delta_macro_f1.ci95->low == doctest::Approx(0.1));
  CHECK(pretrain.delta_macro_f1.ci95->high == doctest::Approx(0.1));
  CHECK(std::isnan(pretrain.macro_f1_std_ratio_vs_real));  // real's std is 0

  const study::ExperimentSummary& real = row(summary, 10, Method::real);
  CHECK(real.delta_macro_f1.mean == 0);
  REQUIRE(real.delta_macro_f1.ci95);
  CHECK(real.delta_macro_f1.ci95->low == 0);
  CHECK(real.delta_macro_f1.ci95->high == 0);
  CHECK(real.macro_f1_std_ratio_vs_real == doctest::Approx(1));
}

TEST_CASE("experiment statistics: a seed without a real run is left out of the differences") {
  const std::vector<ExperimentRun> runs{
      run(5, 1, Method::real, 0.5),          run(5, 2, Method::real, 0.6),
      run(5, 1, Method::real_plus_gan, 0.6), run(5, 2, Method::real_plus_gan, 0.8),
      run(5, 3, Method::real_plus_gan, 0.1),  // no real at seed 3: not paired
      run(5, 1, Method::gan_pretrain, 0.7),   // one pair: a mean but no interval
      run(25, 1, Method::real_plus_gan, 0.9), // no real at size 25 at all
  };
  const std::vector<study::ExperimentSummary> summary = study::summarize(runs);
  const study::ExperimentSummary& mixed = row(summary, 5, Method::real_plus_gan);
  CHECK(mixed.runs == 3);
  CHECK(mixed.macro_f1_mean == doctest::Approx(0.5));  // every run still counts for mean and std
  CHECK(mixed.delta_pairs == 2);
  CHECK(mixed.delta_macro_f1.mean == doctest::Approx(0.15));  // (0.1 + 0.2) / 2, seed 3 left out

  const study::ExperimentSummary& pretrain = row(summary, 5, Method::gan_pretrain);
  CHECK(pretrain.delta_pairs == 1);
  CHECK(pretrain.delta_macro_f1.mean == doctest::Approx(0.2));
  CHECK_FALSE(pretrain.delta_macro_f1.ci95);

  const study::ExperimentSummary& alone = row(summary, 25, Method::real_plus_gan);
  CHECK(alone.delta_pairs == 0);
  CHECK(std::isnan(alone.delta_macro_f1.mean));
  CHECK_FALSE(alone.delta_macro_f1.ci95);
  CHECK(std::isnan(alone.macro_f1_std_ratio_vs_real));

  const std::string md = study::summary_markdown(summary);
  CHECK(md.find("| 5 | 1 | gan-pretrain | 1 | 70.0 ± 0.0 | 0.700 ± 0.000 | +0.200 [n/a] | +20.0 [n/a] |") != std::string::npos);
  CHECK(md.find("| 25 | 1 | real+gan | 1 | 90.0 ± 0.0 | 0.900 ± 0.000 | n/a | n/a | n/a |") != std::string::npos);
  CHECK(study::summary_csv(summary).find("\n25,1,real+gan,1,0.900000,0.000000,0.900000,0.000000,0,n/a,n/a,n/a,") !=
        std::string::npos);
}

TEST_CASE("experiment statistics: a run listed twice is an error") {
  const std::vector<ExperimentRun> runs{run(5, 1, Method::real, 0.5), run(5, 1, Method::real, 0.6)};
  CHECK_THROWS_WITH_AS(study::summarize(runs), doctest::Contains("two runs of real at size 5, seed 1"),
                       std::invalid_argument);
  const std::vector<ExperimentRun> other_share{run(5, 1, Method::real, 0.5), run(5, 1, Method::real, 0.6, 0.5)};
  CHECK(study::summarize(other_share).size() == 2);
}

TEST_CASE("experiment statistics: summary.json holds every field, null where undefined") {
  std::vector<ExperimentRun> runs{
      run(10, 1, Method::real, 0.5),          run(10, 2, Method::real, 0.7),
      run(10, 1, Method::real_plus_gan, 0.6), run(10, 2, Method::real_plus_gan, 0.9),
      run(10, 1, Method::gan_pretrain, 0.4),
  };
  for (ExperimentRun& r : runs)
    if (r.seed == 1) r.gan_test_accuracy = 0.75;  // measured in one study only
  const nlohmann::json j = nlohmann::json::parse(study::summary_json(study::summarize(runs), 7).dump());
  CHECK(j.at("test_images_per_class") == 7);
  const nlohmann::json& rows = j.at("rows");
  REQUIRE(rows.size() == 3);
  for (const nlohmann::json& r : rows) {
    for (const char* field : {"size", "real_share", "method", "runs", "accuracy_mean", "accuracy_std", "macro_f1_mean",
                              "macro_f1_std", "delta_macro_f1_vs_real_mean", "delta_macro_f1_vs_real_ci95",
                              "delta_accuracy_vs_real_mean", "delta_accuracy_vs_real_ci95", "gan_test_accuracy_mean",
                              "gan_train_accuracy_mean"})
      CHECK_MESSAGE(r.contains(field), field);
    CHECK(r.at("gan_test_accuracy_mean").get<double>() == doctest::Approx(0.75));  // the NaN of seed 2 is skipped
    CHECK(r.at("gan_train_accuracy_mean").is_null());                               // never measured
  }
  CHECK(rows[0].at("method") == "real");
  CHECK(rows[0].at("delta_macro_f1_vs_real_mean") == 0.0);
  CHECK(rows[0].at("delta_macro_f1_vs_real_ci95") == nlohmann::json::array({0.0, 0.0}));
  CHECK(rows[0].at("delta_accuracy_vs_real_ci95") == nlohmann::json::array({0.0, 0.0}));
  CHECK(rows[1].at("method") == "real+gan");
  CHECK(rows[1].at("size") == 10);
  CHECK(rows[1].at("real_share") == 1.0);
  CHECK(rows[1].at("runs") == 2);
  CHECK(rows[1].at("macro_f1_mean").get<double>() == doctest::Approx(0.75));
  CHECK(rows[1].at("delta_macro_f1_vs_real_mean").get<double>() == doctest::Approx(0.15));
  // Differences 0.1 and 0.2: half-width 12.706205 * 0.0707107 / sqrt(2) = 0.635310.
  REQUIRE(rows[1].at("delta_macro_f1_vs_real_ci95").size() == 2);
  CHECK(rows[1].at("delta_macro_f1_vs_real_ci95")[0].get<double>() == doctest::Approx(0.15 - 0.635310).epsilon(1e-5));
  CHECK(rows[1].at("delta_macro_f1_vs_real_ci95")[1].get<double>() == doctest::Approx(0.15 + 0.635310).epsilon(1e-5));
  CHECK(rows[2].at("method") == "gan-pretrain");
  CHECK(rows[2].at("delta_macro_f1_vs_real_mean").get<double>() == doctest::Approx(-0.1));
  CHECK(rows[2].at("delta_macro_f1_vs_real_ci95").is_null());  // one pair
  CHECK(rows[2].at("delta_accuracy_vs_real_ci95").is_null());
}

// The augmentation study, the experiment and the demo: the arithmetic against hand-computed
// cases, and tiny end-to-end runs that check every method, size and report image is there.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "data/splits.h"
#include "data/synth/synth_dataset.h"
#include "study/demo.h"
#include "study/experiment.h"
#include "study/study_report.h"
#include "tests/temp_dir.h"
#include "tests/study_test_helpers.h"
#include "tests/test_classifier_helpers.h"

using namespace gg;
using gg::testing::read_text;
using gg::testing::TempDir;
using gg::testing::bar_splits;
using gg::testing::tiny_settings;

namespace {


// Every src="..." of an HTML page.
std::vector<std::string> image_sources(const std::string& html) {
  std::vector<std::string> out;
  const std::regex src("src=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), src); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace

TEST_CASE("study: generated counts balance and enlarge the classes") {
  CHECK(study::generated_counts({10, 4, 1}, 2.0) == std::vector<std::size_t>{10, 16, 19});
  CHECK(study::generated_counts({3, 3}, 1.0) == std::vector<std::size_t>{1, 1});  // at least one each
  CHECK(study::generated_counts({5, 2}, 1.5) == std::vector<std::size_t>{3, 6});  // ceil(7.5) = 8
  CHECK_THROWS_AS(study::generated_counts({5}, 0.5), std::invalid_argument);
}

TEST_CASE("study: a real share keeps ceil(share * n_k) images of each class, at least one") {
  // Classes of 10, 4 and 1 images.
  const data::Dataset train = testing::constant_dataset(15, 4, 9, {0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2}, {"A", "B", "C"});
  REQUIRE(train.class_counts() == std::vector<std::size_t>{10, 4, 1});
  CHECK(study::real_share_subset(train, 0.25, 1).class_counts() == std::vector<std::size_t>{3, 1, 1});
  CHECK(study::real_share_subset(train, 0.5, 1).class_counts() == std::vector<std::size_t>{5, 2, 1});
  CHECK(study::real_share_subset(train, 1.0, 1).size() == 15);
  CHECK_THROWS_WITH_AS(study::real_share_subset(train, 0, 1), doctest::Contains("real share"), std::invalid_argument);
}

TEST_CASE("study: method names parse and round-trip") {
  CHECK(study::parse_methods("real,gan-pretrain") == std::vector<study::Method>{study::Method::real, study::Method::gan_pretrain});
  CHECK(study::parse_methods("real+gan,real+gan") == std::vector<study::Method>{study::Method::real_plus_gan});
  for (study::Method m : study::known_methods()) CHECK(study::parse_methods(study::method_name(m)) == std::vector{m});
  CHECK(study::parse_methods("synth+gan-pretrain,synth-pretrain") ==
        std::vector<study::Method>{study::Method::synth_gan_pretrain, study::Method::synth_pretrain});
  CHECK_THROWS_WITH_AS(study::parse_methods("real,imagenet"), doctest::Contains("imagenet"), std::invalid_argument);
}

TEST_CASE("study: settings become options and bad settings name their flag") {
  const study::StudyOptions o = tiny_settings().to_options("/tmp/x", {});
  CHECK(o.gan.net.resolution == 8);
  CHECK(o.classifier.net.widths == std::vector<int>{32, 64});  // 8 -> 4 -> 2: two blocks fit
  CHECK(study::StudySettings{}.to_options("/tmp/x", {}).classifier.net.widths.size() == 4);
  study::StudySettings bad;
  bad.extra_ratio = 1.5;
  CHECK_THROWS_WITH_AS(bad.to_options("/tmp/x", {}), doctest::Contains("--extra-ratio"), std::invalid_argument);
  bad = {};
  bad.methods = "real,nope";
  CHECK_THROWS_WITH_AS(bad.to_options("/tmp/x", {}), doctest::Contains("--methods"), std::invalid_argument);
  // The synthetic pre-training set defaults to the most realistic generator settings.
  CHECK(o.synth_models == data::synth::ModelSet::v3);
  CHECK(o.synth_energy_norm == data::synth::QTransformOptions::Norm::robust_mean);
  bad = {};
  bad.synth_models = "v9";
  CHECK_THROWS_WITH_AS(bad.to_options("/tmp/x", {}), doctest::Contains("--synth-models"), std::invalid_argument);
  bad = {};
  bad.synth_energy_norm = "max";
  CHECK_THROWS_WITH_AS(bad.to_options("/tmp/x", {}), doctest::Contains("--synth-energy-norm"), std::invalid_argument);
}

TEST_CASE("study: the GAN's length is its schedule's end unless --gan-total-kimg sets it, never inside a fade") {
  study::StudySettings s;
  s.resolution = 32;
  s.kimg_stabilize = 6;
  s.kimg_fade = 4;
  s.gan_total_kimg = 0;
  CHECK(s.gan_kimg() == 3 * (6 + 4) + 6);  // 4x4 ... 32x32: three stabilize + fade pairs, then the last stabilize
  CHECK(s.to_options("/tmp/x", {}).gan.schedule.run_kimg() == 36);
  s.gan_total_kimg = 50;
  CHECK(s.gan_kimg() == 50);
  CHECK(s.to_options("/tmp/x", {}).gan.schedule.run_kimg() == 50);
  s.gan_total_kimg = 30;  // the run would end at the 32x32 fade's end: allowed
  CHECK(s.to_options("/tmp/x", {}).gan.schedule.run_kimg() == 30);
  s.gan_total_kimg = 29;
  CHECK_THROWS_WITH_AS(s.to_options("/tmp/x", {}), doctest::Contains("--gan-total-kimg"), std::invalid_argument);
}

TEST_CASE("experiment: mean, sample standard deviation and paired difference per size and method") {
  using study::Method;
  const std::vector<study::ExperimentRun> runs{
      {.size = 10, .seed = 1, .method = Method::real, .accuracy = 0.5, .macro_f1 = 0.4},
      {.size = 10, .seed = 2, .method = Method::real, .accuracy = 0.7, .macro_f1 = 0.6},
      {.size = 10, .seed = 1, .method = Method::real_plus_gan, .accuracy = 0.8, .macro_f1 = 0.7},
      {.size = 5, .seed = 1, .method = Method::real, .accuracy = 0.25, .macro_f1 = 0.2},
  };
  const auto summary = study::summarize(runs);
  REQUIRE(summary.size() == 3);
  CHECK(summary[0].size == 5);  // sizes ascending
  CHECK(summary[0].accuracy_std == 0);  // one run: no spread
  CHECK(summary[1].size == 10);
  CHECK(summary[1].method == Method::real);
  CHECK(summary[1].runs == 2);
  CHECK(summary[1].accuracy_mean == doctest::Approx(0.6));
  CHECK(summary[1].accuracy_std == doctest::Approx(0.1414213562));  // sqrt(((0.1)^2 * 2) / 1)
  CHECK(summary[1].macro_f1_mean == doctest::Approx(0.5));
  CHECK(summary[2].method == Method::real_plus_gan);
  CHECK(summary[2].delta_pairs == 1);  // seed 1 paired with real's seed 1
  CHECK(summary[2].delta_macro_f1.mean == doctest::Approx(0.3));
  const std::string md = study::summary_markdown(summary);
  CHECK(md.find("| 10 | 1 | real | 2 | 60.0 ± 14.1 | 0.500 ± 0.141 | +0.000 [+0.000, +0.000] | +0.0 [+0.0, +0.0] | 1.00 |") !=
        std::string::npos);
  CHECK(md.find("| 10 | 1 | real+gan | 1 | 80.0 ± 0.0 | 0.700 ± 0.000 | +0.300 [n/a] | +30.0 [n/a] | 0.00 |") !=
        std::string::npos);
  CHECK(study::summary_csv(summary).find("\n10,1,real,2,0.600000,0.141421,0.500000,0.141421,2,0.000000,0.000000,0.000000,") !=
        std::string::npos);
}

TEST_CASE("experiment: a tiny run writes every method and size") {
  TempDir tmp("gg_test_experiment");
  const data::Splits splits = bar_splits();
  study::ExperimentOptions o;
  o.sizes = {2, 4};
  o.seeds = 2;
  o.study = tiny_settings().to_options(tmp.path(), {});
  o.study.write_generated_pngs = false;
  o.out = tmp.path();
  const std::vector<study::ExperimentRun> runs = study::run_experiment(splits.train, splits.validation, splits.test, o);
  CHECK(runs.size() == 2 * 2 * 3);
  const std::string csv = read_text(tmp.path() / "runs.csv");
  for (const char* size : {"2", "4"})
    for (study::Method m : study::all_methods())
      for (const char* seed : {"1", "2"})
        CHECK(csv.find(std::string("\n") + size + "," + seed + ",1," + study::method_name(m) + ",") != std::string::npos);
  const std::string summary = read_text(tmp.path() / "summary.csv");
  for (study::Method m : study::all_methods()) {
    CHECK(summary.find("\n2,1," + study::method_name(m) + ",2,") != std::string::npos);
    CHECK(summary.find("\n4,1," + study::method_name(m) + ",2,") != std::string::npos);
  }
  for (const char* file : {"summary.md", "accuracy.png", "macro_f1.png", "delta_macro_f1.png"})
    CHECK(std::filesystem::exists(tmp.path() / file));
  CHECK_FALSE(std::filesystem::exists(tmp.path() / "real_share.png"));  // one real share
  const nlohmann::json json = nlohmann::json::parse(read_text(tmp.path() / "summary.json"));
  CHECK(json.at("test_images_per_class").get<std::size_t>() > 0);
  REQUIRE(json.at("rows").size() == 2 * 3);
  for (const nlohmann::json& row : json.at("rows")) {
    for (const char* field : {"size", "real_share", "method", "runs", "accuracy_mean", "accuracy_std", "macro_f1_mean",
                              "macro_f1_std", "delta_macro_f1_vs_real_mean", "delta_macro_f1_vs_real_ci95",
                              "delta_accuracy_vs_real_mean", "delta_accuracy_vs_real_ci95", "gan_test_accuracy_mean",
                              "gan_train_accuracy_mean"})
      CHECK_MESSAGE(row.contains(field), field);
    CHECK(row.at("runs") == 2);
    CHECK(row.at("delta_macro_f1_vs_real_ci95").size() == 2);  // two seeds: every interval is defined
  }
  for (const study::ExperimentRun& r : runs) {
    CHECK(r.train_images == 4 * r.size);
    CHECK(r.accuracy >= 0);
    CHECK(r.accuracy <= 1);
  }

  // runs.csv reads back as written, and --resume takes it as done: nothing trains again, and only
  // the grid asked for is kept.
  CHECK(study::runs_csv(study::parse_runs_csv(csv)) == csv);
  study::ExperimentOptions resumed = o;
  resumed.resume = true;
  resumed.sizes = {4};
  std::filesystem::remove_all(tmp.path() / "size-4");  // a study that ran again would write it anew
  const std::vector<study::ExperimentRun> again = study::run_experiment(splits.train, splits.validation, splits.test, resumed);
  REQUIRE(again.size() == 2 * 3);
  CHECK_FALSE(std::filesystem::exists(tmp.path() / "size-4"));
  for (const study::ExperimentRun& r : again) {
    CHECK(r.size == 4);
    const auto same = std::find_if(runs.begin(), runs.end(), [&](const study::ExperimentRun& x) {
      return x.size == r.size && x.seed == r.seed && x.method == r.method;
    });
    REQUIRE(same != runs.end());
    CHECK(r.macro_f1 == doctest::Approx(same->macro_f1).epsilon(1e-6));
  }
  CHECK_THROWS_WITH_AS(study::parse_runs_csv(study::runs_csv({}) + "4,1,1,nope,0.5,0.5,4,0,1.0,n/a,n/a\n"),
                       doctest::Contains("line 2"), std::invalid_argument);
}

TEST_CASE("study: synthetic pre-training writes its set once, starts the synth methods and measures sim->real") {
  TempDir tmp("gg_test_study_synth");
  data::synth::SynthDatasetOptions d;
  d.out = tmp.path() / "data";
  d.per_class = 8;
  d.validation_per_class = d.test_per_class = 3;
  d.classes = {"Blip", "Whistle"};
  d.windows = {1.0};
  data::synth::write_synth_dataset(d);
  study::StudySettings settings = tiny_settings();
  settings.methods = "real,synth-pretrain,synth+gan-pretrain";
  settings.synth_per_class = 6;
  const data::Splits splits = study::load_study_data(d.out, settings, {}).splits;
  study::StudyOptions o = settings.to_options(tmp.path() / "study", {});
  o.synth_dir = tmp.path() / "synthetic";
  const study::StudyResult r = study::run_study(splits.train, splits.validation, splits.test, o);
  REQUIRE(r.methods.size() == 3);
  CHECK(r.methods[1].method == study::Method::synth_pretrain);
  CHECK(r.methods[2].method == study::Method::synth_gan_pretrain);
  CHECK_FALSE(r.methods[1].pretrain_history.empty());  // the synthetic stage's epochs
  CHECK(std::isfinite(r.synth_only_accuracy));
  CHECK(std::filesystem::exists(tmp.path() / "synthetic" / "scans" / "Blip"));
  CHECK(std::filesystem::exists(tmp.path() / "study" / "classifier-synth-then-gan" / "best.safetensors"));

  // The set is reused while its settings hold: a second study writes nothing there.
  const auto stamp_time = std::filesystem::last_write_time(tmp.path() / "synthetic" / "synth-settings.json");
  study::StudyOptions again = o;
  again.methods = {study::Method::synth_pretrain};
  again.out = tmp.path() / "again";
  const study::StudyResult no_gan = study::run_study(splits.train, splits.validation, splits.test, again);
  CHECK(std::filesystem::last_write_time(tmp.path() / "synthetic" / "synth-settings.json") == stamp_time);
  // No method of that study uses generated images, so it trains no GAN and its report says so.
  CHECK(no_gan.gan_run.empty());
  CHECK_FALSE(std::filesystem::exists(again.out / "gan"));
  CHECK(std::isnan(no_gan.gan_test_accuracy));
  CHECK(std::isnan(no_gan.gan_train_accuracy));
  CHECK(std::isfinite(no_gan.synth_only_accuracy));
  CHECK(study::comparison_text(no_gan).find("no GAN trained") != std::string::npos);
  study::write_study_report(no_gan, splits.train, splits.validation, splits.test, again.out, {});
  const nlohmann::json summary = nlohmann::json::parse(std::ifstream(again.out / "summary.json"));
  CHECK(summary.at("gan_test_accuracy").is_null());
  CHECK(summary.at("generated_images").get<std::size_t>() == 0);
  CHECK(std::filesystem::exists(again.out / "report.html"));

  // Other class models or another normalisation are another set: it is drawn anew and stamped so.
  auto stamped = [&](const char* key) {
    return nlohmann::json::parse(read_text(tmp.path() / "synthetic" / "synth-settings.json")).at(key);
  };
  auto blip_pngs = [&] {  // every Blip scan's bytes, in file-name order
    std::set<std::filesystem::path> files;
    for (const auto& f : std::filesystem::directory_iterator(tmp.path() / "synthetic" / "scans" / "Blip")) files.insert(f.path());
    std::string bytes;
    for (const auto& f : files) bytes += read_text(f);
    return bytes;
  };
  CHECK(stamped("models") == "v3");
  CHECK(stamped("energy_norm") == "robust-mean");
  const std::string v3_blips = blip_pngs();
  study::StudyOptions older = again;
  older.out = tmp.path() / "older";
  older.synth_models = data::synth::ModelSet::v1;
  older.synth_energy_norm = data::synth::QTransformOptions::Norm::median;
  CHECK(std::isfinite(study::run_study(splits.train, splits.validation, splits.test, older).synth_only_accuracy));
  CHECK(stamped("models") == "v1");
  CHECK(stamped("energy_norm") == "median");
  CHECK(blip_pngs() != v3_blips);

  // Classes the generator has no model of are refused, naming the method.
  const data::Splits bars = bar_splits();
  study::StudyOptions foreign = tiny_settings().to_options(tmp.path() / "bars", {});
  foreign.methods = {study::Method::synth_pretrain};
  CHECK_THROWS_WITH_AS(study::run_study(bars.train, bars.validation, bars.test, foreign), doctest::Contains("synth-pretrain"),
                       std::invalid_argument);
}

TEST_CASE("study: the same seed gives the same results") {
  TempDir a("gg_test_study_a"), b("gg_test_study_b");
  const data::Splits splits = bar_splits();
  study::StudySettings settings = tiny_settings();
  settings.methods = "real+gan";
  const study::StudyResult ra = study::run_study(splits.train, splits.validation, splits.test, settings.to_options(a.path(), {}));
  const study::StudyResult rb = study::run_study(splits.train, splits.validation, splits.test, settings.to_options(b.path(), {}));
  CHECK(ra.methods[0].test.confusion == rb.methods[0].test.confusion);
  REQUIRE(ra.methods[0].history.size() == rb.methods[0].history.size());
  for (std::size_t i = 0; i < ra.methods[0].history.size(); ++i)
    CHECK(ra.methods[0].history[i].train_loss == rb.methods[0].history[i].train_loss);  // bit-identical
  CHECK(read_text(a.path() / "gan" / "log.jsonl") == read_text(b.path() / "gan" / "log.jsonl"));
}

TEST_CASE("study: selection keeps, per class, the images the judge finds likeliest of their class") {
  // Six images of classes 0 and 1; the judge's probability of the labelled class decides.
  const std::vector<std::vector<float>> p{{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}, {0.7f, 0.3f}, {0.5f, 0.5f}, {0.5f, 0.5f}};
  const std::vector<int> labels{0, 1, 0, 0, 1, 1};
  CHECK(study::most_probable_per_class(p, labels, {2, 1}) == std::vector<std::size_t>{0, 1, 3});
  CHECK(study::most_probable_per_class(p, labels, {1, 2}) == std::vector<std::size_t>{0, 1, 4});  // tie: lower index
  CHECK(study::most_probable_per_class(p, labels, {3, 3}).size() == 6);
  CHECK_THROWS_WITH_AS(study::most_probable_per_class(p, labels, {4, 0}), doctest::Contains("class 0 has 3"),
                       std::invalid_argument);
}

TEST_CASE("study: going on from a finished GAN checkpoint trains no GAN and gives the same study") {
  TempDir dir("gg_test_study_resume_gan");
  const data::Splits splits = bar_splits();
  study::StudySettings settings = tiny_settings();
  settings.methods = "real,real+gan";
  settings.gan_select = 3;
  const study::StudyResult first = study::run_study(splits.train, splits.validation, splits.test, settings.to_options(dir.path(), {}));
  const std::string log = read_text(dir.path() / "gan" / "log.jsonl");
  const std::string sheet = read_text(dir.path() / "generated" / "contact-sheet.png");
  study::StudyOptions again = settings.to_options(dir.path(), {});
  again.resume_gan = true;
  const study::StudyResult second = study::run_study(splits.train, splits.validation, splits.test, again);
  CHECK(read_text(dir.path() / "gan" / "log.jsonl") == log);  // no round was trained
  CHECK(read_text(dir.path() / "generated" / "contact-sheet.png") == sheet);
  CHECK(second.gan_test_ema == first.gan_test_ema);
  CHECK(second.gan_test_raw == first.gan_test_raw);
  for (std::size_t m = 0; m < first.methods.size(); ++m) CHECK(second.methods[m].test.confusion == first.methods[m].test.confusion);
  // Selection: as many images as without it, judged at least as often of their class.
  std::size_t wanted = 0;
  for (std::size_t n : first.generated_counts) wanted += n;
  const auto pngs = std::count_if(std::filesystem::recursive_directory_iterator(dir.path() / "generated"), {}, [](const auto& e) {
    return e.is_regular_file() && e.path().filename() != "contact-sheet.png";
  });
  CHECK(static_cast<std::size_t>(pngs) == wanted);
  CHECK(first.kept_agreement >= first.candidates_agreement);
  // A checkpoint of other settings is refused by name, not trained over.
  study::StudyOptions other = again;
  other.gan.adam.lr *= 2;
  CHECK_THROWS_WITH_AS(study::run_study(splits.train, splits.validation, splits.test, other),
                       doctest::Contains("checkpoint.safetensors"), std::runtime_error);
}

TEST_CASE("demo: a tiny run on synthesized data writes a report whose images all exist") {
  TempDir tmp("gg_test_demo");
  study::DemoOptions o;
  o.out = tmp.path();
  o.classes = {"Blip", "Whistle", "Power_Line"};
  o.per_class = 8;
  o.imbalance = 4;
  o.validation_per_class = 3;
  o.test_per_class = 3;
  o.settings = tiny_settings();
  std::vector<std::string> lines;
  const study::DemoResult r = study::run_demo(o, [&](const std::string& line) { lines.push_back(line); });
  CHECK(r.study.methods.size() == 3);
  CHECK(r.study.real_counts.size() == 3);
  CHECK(r.study.real_counts == std::vector<std::size_t>{8, 2, 4});  // imbalanced; classes sorted by name
  for (const char* split : {"train", "validation", "test"}) CHECK(std::filesystem::is_directory(tmp.path() / "data" / split));
  REQUIRE(std::filesystem::exists(r.report));
  const std::string html = read_text(r.report);
  const std::vector<std::string> sources = image_sources(html);
  CHECK(sources.size() >= 8);  // data sheet, 2+ GAN grids, losses, GP, generated, curves, confusions
  for (const std::string& src : sources) {
    INFO(src);
    CHECK(std::filesystem::exists(tmp.path() / src));
  }
  for (const char* part : {"real+gan", "gan-pretrain", "confusion matrix", "ProGAN"}) CHECK(html.find(part) != std::string::npos);
  CHECK(std::filesystem::exists(tmp.path() / "generated" / "Blip"));
  CHECK_FALSE(lines.empty());

  // GAN quality is measured and written with every method's numbers.
  CHECK(r.study.gan_test_ema >= 0);
  CHECK(r.study.gan_test_raw >= 0);
  CHECK(r.study.gan_train_accuracy >= 0);
  CHECK(r.study.gan_test_per_class.size() == 3);
  const nlohmann::json summary = nlohmann::json::parse(read_text(tmp.path() / "summary.json"));
  for (const char* key : {"gan_test_accuracy", "gan_test_accuracy_ema", "gan_test_accuracy_raw", "gan_train_accuracy",
                          "gan_test_per_class", "test_images_per_class", "methods", "seconds"}) {
    INFO(key);
    CHECK(summary.contains(key));
  }
  CHECK(summary.at("gan_test_accuracy").get<double>() == r.study.gan_test_ema);
  CHECK(summary.at("test_images_per_class") == 3);
  REQUIRE(summary.at("methods").size() == 3);
  for (const auto& m : summary.at("methods")) CHECK((m.contains("accuracy") && m.contains("macro_f1")));
  CHECK(std::filesystem::exists(tmp.path() / "report" / "gan-test.png"));
}

TEST_CASE("demo: the README states the demo's defaults") {
  const std::string readme = read_text(std::filesystem::path(GG_SOURCE_DIR) / "README.md");
  const std::string table = study::demo_defaults_markdown();
  INFO("expected in README.md:\n" << table);
  CHECK(readme.find(table) != std::string::npos);
}

// The Gravity Spy loader on the real sample: layout parsing, crop and resize, window stacking,
// bad input, the cache (reuse and invalidation) and splits.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "data/gravityspy_layout.h"
#include "data/gravityspy_loader.h"
#include "data/gravityspy_metadata.h"
#include "data/png_io.h"
#include "data/splits.h"
#include "tests/shared_data.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using namespace gg::data;

namespace {

const fs::path kSample = fs::path(GG_SHARED_DIR) / "data/gravityspy-sample";

using gg::testing::TempDir;

// Copies `glitches` glitches (all windows) of `label` from the sample into root/label.
void copy_class(const fs::path& root, const std::string& label, std::size_t glitches) {
  const LayoutScan scan = scan_layout(kSample, false);
  fs::create_directories(root / label);
  std::size_t copied = 0;
  for (const GlitchFiles& g : scan.glitches) {
    if (g.label != label || copied == glitches) continue;
    for (const fs::path& p : g.windows) fs::copy_file(p, root / label / p.filename());
    ++copied;
  }
}

LoadOptions small_options(const fs::path& root) {
  LoadOptions o;
  o.root = root;
  o.preprocess.height = o.preprocess.width = 16;
  return o;
}

std::string error_of(const LoadOptions& options) {
  try {
    load_gravityspy(options);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("data: Gravity Spy file names") {
  const auto name = parse_spectrogram_name("H1_0xA896L9Ao_spectrogram_0.5.png");
  REQUIRE(name);
  CHECK(name->ifo == "H1");
  CHECK(name->id == "0xA896L9Ao");
  CHECK(name->window == 0);
  CHECK(spectrogram_name("L1", "abc", 3) == "L1_abc_spectrogram_4.0.png");
  CHECK_FALSE(parse_spectrogram_name("H1_x_spectrogram_3.0.png"));
  CHECK_FALSE(parse_spectrogram_name("H1_spectrogram_1.0.png"));
  CHECK_FALSE(parse_spectrogram_name("H1_x_spectrogram_1.0.jpg"));
}

TEST_CASE("data: the real sample's layout, image size and crop") {
  GG_REQUIRE_SHARED_DATA();
  const LayoutScan scan = scan_layout(kSample, false);
  CHECK(scan.classes == std::vector<std::string>{"Blip", "Scratchy", "Whistle"});
  REQUIRE(scan.glitches.size() == 28);
  std::map<std::string, int> per_class;
  for (const GlitchFiles& g : scan.glitches) {
    ++per_class[g.label];
    for (const fs::path& p : g.windows) CHECK_FALSE(p.empty());  // all four windows present
    CHECK(g.split.empty());
  }
  CHECK(per_class["Blip"] == 10);
  CHECK(per_class["Scratchy"] == 8);
  CHECK(per_class["Whistle"] == 10);
  CHECK(std::is_sorted(scan.glitches.begin(), scan.glitches.end(),
                       [](const GlitchFiles& a, const GlitchFiles& b) { return a.name() < b.name(); }));

  const Image image = read_png(scan.glitches.front().windows[1]);
  CHECK(image.width == 800);
  CHECK(image.height == 600);
  const PreprocessOptions defaults;
  const Image plot = crop(image, defaults.crop);
  CHECK(plot.width == 566);
  CHECK(plot.height == 466);
  // The crop lies inside the plot frame: no white figure background in it, black frame just outside.
  bool any_white = false;
  for (std::size_t i = 0; i < plot.pixels.size(); i += 4) {
    any_white = any_white || (plot.pixels[i] > 240 && plot.pixels[i + 1] > 240 && plot.pixels[i + 2] > 240);
  }
  CHECK_FALSE(any_white);
  CHECK(image.at(100, 300)[0] < 60);
  CHECK(image.at(674, 300)[0] < 60);
}

TEST_CASE("data: loading the real sample, one window gray and four windows RGB") {
  GG_REQUIRE_SHARED_DATA();
  LoadOptions options = small_options(kSample);
  LoadedDataset loaded = load_gravityspy(options);
  const Dataset& d = loaded.dataset;
  CHECK(d.size() == 28);
  CHECK(d.channels() == 1);
  CHECK(d.class_names() == std::vector<std::string>{"Blip", "Scratchy", "Whistle"});
  CHECK(d.class_counts() == std::vector<std::size_t>{10, 8, 10});
  CHECK(loaded.report.decoded_pngs == 28);
  CHECK_FALSE(loaded.report.from_cache);
  const std::vector<std::size_t> first_two{0, 1};
  const gg::Tensor images = d.images(first_two);
  CHECK(images.shape() == gg::Shape{2, 1, 16, 16});
  const std::vector<float> values = images.to_vector<float>();
  CHECK(*std::min_element(values.begin(), values.end()) >= -1.0f);
  CHECK(*std::max_element(values.begin(), values.end()) <= 1.0f);

  options.preprocess.windows = {0.5, 1.0, 2.0, 4.0};
  options.preprocess.color = ColorMode::rgb;
  options.classes = {"Whistle", "Blip"};
  loaded = load_gravityspy(options);
  CHECK(loaded.dataset.channels() == 12);
  CHECK(loaded.dataset.class_names() == std::vector<std::string>{"Whistle", "Blip"});
  CHECK(loaded.dataset.class_counts() == std::vector<std::size_t>{10, 10});
  CHECK(loaded.report.decoded_pngs == 80);

  options.classes = {"Koi_Fish"};
  CHECK(error_of(options).find("Koi_Fish") != std::string::npos);
}

TEST_CASE("data: Gravity Spy bad input is named, and skip_bad counts what it skips") {
  GG_REQUIRE_SHARED_DATA();
  TempDir tmp("gg_test_gravityspy_bad");
  LoadOptions options = small_options(tmp.path() / "missing");
  CHECK(error_of(options).find("missing") != std::string::npos);

  copy_class(tmp.path(), "Blip", 2);
  fs::create_directories(tmp.path() / "Empty_Class");
  options.root = tmp.path();
  CHECK(error_of(options).find("Empty_Class") != std::string::npos);
  options.skip_bad = true;
  LoadedDataset loaded = load_gravityspy(options);
  CHECK(loaded.dataset.size() == 2);
  CHECK(loaded.report.skipped == 1);
  fs::remove(tmp.path() / "Empty_Class");
  options.skip_bad = false;

  // A mis-sized image, an unreadable one, and a misnamed one.
  write_png(tmp.path() / "Blip" / "H1_small_spectrogram_1.0.png", Image(100, 80, 3));
  CHECK(error_of(options).find("H1_small_spectrogram_1.0.png") != std::string::npos);
  std::ofstream(tmp.path() / "Blip" / "L1_broken_spectrogram_1.0.png") << "not a png";
  std::ofstream(tmp.path() / "Blip" / "badly_named.png") << "x";
  CHECK(error_of(options).find("badly_named.png") != std::string::npos);
  fs::remove(tmp.path() / "Blip" / "badly_named.png");
  CHECK(error_of(options).find("_spectrogram_1.0.png") != std::string::npos);

  options.skip_bad = true;
  loaded = load_gravityspy(options);
  CHECK(loaded.dataset.size() == 2);
  CHECK(loaded.report.skipped == 2);

  // A glitch without the chosen window.
  options.skip_bad = false;
  fs::remove(tmp.path() / "Blip" / "H1_small_spectrogram_1.0.png");
  fs::remove(tmp.path() / "Blip" / "L1_broken_spectrogram_1.0.png");
  options.preprocess.windows = {0.5};
  fs::copy_file(tmp.path() / "Blip" / fs::directory_iterator(tmp.path() / "Blip")->path().filename(),
                tmp.path() / "Blip" / "H1_lonely_spectrogram_1.0.png");
  CHECK(error_of(options).find("lonely") != std::string::npos);
}

TEST_CASE("data: the cache is reused, and rebuilt when an option or a file changes") {
  GG_REQUIRE_SHARED_DATA();
  TempDir tmp("gg_test_gravityspy_cache");
  copy_class(tmp.path() / "set", "Blip", 3);
  copy_class(tmp.path() / "set", "Whistle", 2);
  LoadOptions options = small_options(tmp.path() / "set");
  options.cache_dir = tmp.path() / "cache";

  const LoadedDataset first = load_gravityspy(options);
  CHECK_FALSE(first.report.from_cache);
  CHECK(first.report.decoded_pngs == 5);
  CHECK(fs::exists(first.report.cache_file));

  const LoadedDataset second = load_gravityspy(options);
  CHECK(second.report.from_cache);
  CHECK(second.report.decoded_pngs == 0);
  REQUIRE(second.dataset.size() == first.dataset.size());
  for (std::size_t i = 0; i < first.dataset.size(); ++i) {
    CHECK(std::ranges::equal(first.dataset.pixels(i), second.dataset.pixels(i)));
    CHECK(first.dataset.label(i) == second.dataset.label(i));
    CHECK(first.dataset.info(i).id == second.dataset.info(i).id);
  }

  options.preprocess.width = 8;
  const LoadedDataset resized = load_gravityspy(options);
  CHECK_FALSE(resized.report.from_cache);
  CHECK(resized.report.decoded_pngs == 5);
  options.preprocess.width = 16;
  CHECK(load_gravityspy(options).report.from_cache);

  // Touching one file changes its modification time, hence the key.
  const fs::path some_file = fs::directory_iterator(tmp.path() / "set" / "Blip")->path();
  fs::last_write_time(some_file, fs::last_write_time(some_file) + std::chrono::seconds(5));
  const LoadedDataset touched = load_gravityspy(options);
  CHECK_FALSE(touched.report.from_cache);
  CHECK(touched.report.decoded_pngs == 5);

  // A damaged cache file is rebuilt, not trusted.
  fs::resize_file(touched.report.cache_file, 100);
  const LoadedDataset repaired = load_gravityspy(options);
  CHECK_FALSE(repaired.report.from_cache);
  CHECK(load_gravityspy(options).report.from_cache);
}

TEST_CASE("data: stratified splits and per-class subsampling are seeded and keep proportions") {
  GG_REQUIRE_SHARED_DATA();
  LoadOptions options = small_options(kSample);
  options.preprocess.height = options.preprocess.width = 4;
  const Dataset d = load_gravityspy(options).dataset;  // 10, 8, 10

  const Splits s = stratified_split(d, {0.6, 0.2, 0.2}, 7);
  CHECK(s.train.class_counts() == std::vector<std::size_t>{6, 5, 6});
  CHECK(s.validation.class_counts() == std::vector<std::size_t>{2, 2, 2});
  CHECK(s.test.class_counts() == std::vector<std::size_t>{2, 1, 2});
  std::vector<std::string> ids;
  for (const Dataset* part : {&s.train, &s.validation, &s.test}) {
    for (std::size_t i = 0; i < part->size(); ++i) ids.push_back(part->info(i).id);
  }
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());  // disjoint
  CHECK(ids.size() == d.size());

  const Splits again = stratified_split(d, {0.6, 0.2, 0.2}, 7), other = stratified_split(d, {0.6, 0.2, 0.2}, 8);
  auto ids_of = [](const Dataset& part) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < part.size(); ++i) out.push_back(part.info(i).id);
    return out;
  };
  CHECK(ids_of(again.train) == ids_of(s.train));
  CHECK(ids_of(other.train) != ids_of(s.train));

  CHECK(take_per_class(d, 3, 1).class_counts() == std::vector<std::size_t>{3, 3, 3});
  CHECK(take_per_class(d, std::vector<std::size_t>{9, 4, 1}, 1).class_counts() == std::vector<std::size_t>{9, 4, 1});
  CHECK(take_per_class(d, 100, 1).size() == d.size());
  CHECK_THROWS_AS(stratified_split(d, {0.5, 0.2, 0.2}, 1), std::invalid_argument);
}

TEST_CASE("data: split folders are recognised") {
  GG_REQUIRE_SHARED_DATA();
  TempDir tmp("gg_test_gravityspy_splits");
  copy_class(tmp.path() / "train", "Blip", 3);
  copy_class(tmp.path() / "test", "Blip", 1);
  copy_class(tmp.path() / "validation", "Whistle", 1);
  LoadOptions options = small_options(tmp.path());
  const Dataset d = load_gravityspy(options).dataset;
  CHECK(d.size() == 5);
  const Splits s = folder_splits(d);
  CHECK(s.train.size() == 3);
  CHECK(s.validation.size() == 1);
  CHECK(s.test.size() == 1);
  CHECK(s.validation.label(0) == 1);  // Whistle, in the sorted class list {Blip, Whistle}
}

namespace {

// A metadata CSV in the official release's 28-column format for the given glitches, with
// sample_type cycling train, validation, test and a quoted field holding a comma.
void write_metadata(const fs::path& path, const std::vector<GlitchFiles>& glitches, const std::string& override_type = "") {
  std::ofstream out(path);
  out << "event_time,ifo,peak_time,peak_time_ns,start_time,start_time_ns,duration,search,process_id,event_id,"
         "peak_frequency,central_freq,bandwidth,channel,amplitude,snr,confidence,chisq,chisq_dof,param_one_name,"
         "param_one_value,gravityspy_id,label,sample_type,url1,url2,url3,url4\n";
  for (std::size_t i = 0; i < glitches.size(); ++i) {
    const GlitchFiles& g = glitches[i];
    const std::string type = override_type.empty() ? kSplitNames[i % 3] : override_type;
    out << "1126400000.5," << g.ifo << ",1126400000,500000000,1126399999,0,1.5,Omicron,0,0,120.5,900,1800,"
        << "\"H1:GDS-CALIB_STRAIN, whitened\",1e-22,12.5,1,0,0,phase,0," << g.id << "," << g.label << "," << type
        << ",u1,u2,u3,u4\n";
  }
}

}  // namespace

TEST_CASE("data: splits from the official metadata CSV") {
  GG_REQUIRE_SHARED_DATA();
  TempDir tmp("gg_metadata_csv");
  const LayoutScan scan = scan_layout(kSample, false);
  const fs::path csv = tmp.path() / "trainingset_v1d1_metadata.csv";
  write_metadata(csv, scan.glitches);
  LoadOptions o;
  o.root = kSample;
  o.preprocess.height = o.preprocess.width = 8;
  o.metadata_csv = csv;
  const LoadedDataset loaded = load_gravityspy(o);
  const Splits s = folder_splits(loaded.dataset);
  const std::size_t n = scan.glitches.size();
  CHECK(s.train.size() == (n + 2) / 3);
  CHECK(s.validation.size() == (n + 1) / 3);
  CHECK(s.test.size() == n / 3);
  const auto metadata = read_gravityspy_metadata(csv);
  CHECK(metadata.at(scan.glitches[1].id).split == "validation");
  CHECK(metadata.at(scan.glitches[1].id).label == scan.glitches[1].label);

  SUBCASE("a glitch the CSV does not list is named, or skipped with skip_bad") {
    write_metadata(csv, std::vector<GlitchFiles>(scan.glitches.begin() + 1, scan.glitches.end()));
    CHECK_THROWS_WITH_AS(load_gravityspy(o), doctest::Contains((scan.glitches[0].id + ": not listed").c_str()), std::runtime_error);
    o.skip_bad = true;
    const LoadedDataset partial = load_gravityspy(o);
    CHECK(partial.dataset.size() == n - 1);
    CHECK(partial.report.skipped == 1);
  }
  SUBCASE("a class that disagrees with the folder is named") {
    std::vector<GlitchFiles> relabelled = scan.glitches;
    relabelled[2].label = "Koi_Fish";
    write_metadata(csv, relabelled);
    CHECK_THROWS_WITH_AS(load_gravityspy(o), doctest::Contains("labels it Koi_Fish"), std::runtime_error);
  }
  SUBCASE("bad CSVs are named with what is wrong") {
    write_metadata(csv, scan.glitches, "holdout");
    CHECK_THROWS_WITH_AS(read_gravityspy_metadata(csv), doctest::Contains("line 2: sample_type 'holdout'"),
                         std::runtime_error);
    { std::ofstream(csv) << "gravityspy_id,label\nabc,Blip\n"; }
    CHECK_THROWS_WITH_AS(read_gravityspy_metadata(csv), doctest::Contains("no column 'sample_type'"), std::runtime_error);
    { std::ofstream(csv) << "gravityspy_id,label,sample_type\n\"abc,Blip,train\n"; }
    CHECK_THROWS_WITH_AS(read_gravityspy_metadata(csv), doctest::Contains("malformed CSV"), std::runtime_error);
    { std::ofstream(csv) << "gravityspy_id,label,sample_type\nabc,Blip,train\nabc,Blip,test\n"; }
    CHECK_THROWS_WITH_AS(read_gravityspy_metadata(csv), doctest::Contains("appears twice"), std::runtime_error);
    CHECK_THROWS_WITH_AS(read_gravityspy_metadata(tmp.path() / "missing.csv"), doctest::Contains("missing.csv"),
                         std::runtime_error);
  }
}

TEST_CASE("data: both public forms load (the full figure cropped, the plot area alone whole), and sample-sized images as they are") {
  GG_REQUIRE_SHARED_DATA();
  // The same glitch as a full 800x600 figure and as its plot area cut out: the same sample.
  TempDir tmp("gg_test_gravityspy_forms");
  copy_class(tmp.path() / "full", "Blip", 1);
  fs::path figure;  // its 1.0 s window, the one the loader reads by default
  for (const auto& e : fs::directory_iterator(tmp.path() / "full" / "Blip"))
    if (e.path().filename().string().ends_with("_spectrogram_1.0.png")) figure = e.path();
  REQUIRE(!figure.empty());
  const PreprocessOptions defaults;
  fs::create_directories(tmp.path() / "plot" / "Blip");
  write_png(tmp.path() / "plot" / "Blip" / figure.filename(), to_rgb(crop(read_png(figure), defaults.crop)));
  const LoadedDataset full = load_gravityspy(small_options(tmp.path() / "full"));
  const LoadedDataset plot = load_gravityspy(small_options(tmp.path() / "plot"));
  CHECK(full.report.full_figures == 1);
  CHECK(full.report.plot_areas == 0);
  CHECK(plot.report.full_figures == 0);
  CHECK(plot.report.plot_areas == 1);
  REQUIRE(full.dataset.size() == 1);
  REQUIRE(plot.dataset.size() == 1);
  const auto a = full.dataset.pixels(0), b = plot.dataset.pixels(0);
  CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));

  // The real pre-cropped set: one 569x479 glitch of each of the 22 classes.
  const LoadedDataset all22 = load_gravityspy(small_options(fs::path(GG_SHARED_DIR) / "data/gravityspy-22"));
  CHECK(all22.dataset.num_classes() == 22);
  CHECK(all22.report.plot_areas == all22.dataset.size());
  CHECK(all22.report.full_figures == 0);

  // The project's own generated images are already of the sample's size: taken as they are.
  Image own(16, 16, 1);
  for (std::size_t i = 0; i < own.pixels.size(); ++i) own.pixels[i] = static_cast<std::uint8_t>(i);
  fs::create_directories(tmp.path() / "own" / "Blip");
  write_png(tmp.path() / "own" / "Blip" / "GAN_s1n0_spectrogram_1.0.png", own);
  const LoadedDataset generated = load_gravityspy(small_options(tmp.path() / "own"));
  CHECK(generated.report.sample_sized == 1);
  const auto g = generated.dataset.pixels(0);
  CHECK(std::equal(g.begin(), g.end(), own.pixels.begin(), own.pixels.end()));

  // Neither form: the error names the file and the accepted sizes.
  write_png(tmp.path() / "plot" / "Blip" / "H1_odd_spectrogram_1.0.png", Image(640, 480, 3));
  const std::string error = error_of(small_options(tmp.path() / "plot"));
  CHECK(error.find("H1_odd_spectrogram_1.0.png") != std::string::npos);
  CHECK(error.find("800x600") != std::string::npos);
  CHECK(error.find("plot area") != std::string::npos);
  CHECK(image_form(569, 479, defaults, "x") == ImageForm::plot_area);
  CHECK(image_form(570, 470, defaults, "x") == ImageForm::plot_area);
  CHECK(image_form(800, 600, defaults, "x") == ImageForm::full_figure);
  CHECK_THROWS_AS(image_form(600, 400, defaults, "x"), std::runtime_error);
}

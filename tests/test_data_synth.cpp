// The synthetic Gravity Spy generator: Q-transform physics, determinism, class counts, the layout
// it writes (readable by the real loader), and the plot geometry the real crop relies on.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <numeric>

#include "data/gravityspy_loader.h"
#include "data/png_io.h"
#include "data/synth/detector_noise.h"
#include "data/synth/glitch_models.h"
#include "data/synth/qtransform.h"
#include "data/synth/scan_plot.h"
#include "data/synth/synth_dataset.h"
#include "data/synth/synth_scan.h"
#include "tests/shared_data.h"

namespace fs = std::filesystem;
using namespace gg::data;
using namespace gg::data::synth;

namespace {

constexpr double kRate = 4096, kDuration = 4;
constexpr std::size_t kN = 16384;

// Q plane of whitened noise plus `signal`.
QPlane plane_of(const WaveformBuilder& signal, std::uint64_t seed, QTransformOptions::Norm norm) {
  FftArray<float> samples(kN);
  std::copy(signal.samples().begin(), signal.samples().end(), samples.data());
  FftArray<Complex> spectrum(kN / 2 + 1);
  forward_real_fft(samples, spectrum);
  gg::Generator gen(seed);
  add_whitened_noise(spectrum, kRate, kN, gen);
  QTransformOptions q;
  q.f_max = 1024;
  q.max_row_samples = 2048;
  q.norm = norm;
  return q_transform(spectrum, kN, kDuration, q);
}

// Q plane of whitened noise plus, optionally, a sine-Gaussian at time 0.
QPlane plane_of(double snr, double f0, std::uint64_t seed, QTransformOptions::Norm norm = QTransformOptions::Norm::median) {
  WaveformBuilder signal(kRate, kN);
  if (snr > 0) signal.sine_gaussian(0, f0, 8, snr);
  return plane_of(signal, seed, norm);
}

// Mean normalised energy of the row nearest `f` over |t| < `half` seconds.
double row_mean_near(const QPlane& plane, double f, double half) {
  std::size_t r = 0;
  for (std::size_t i = 0; i < plane.frequencies.size(); ++i) {
    if (std::abs(std::log(plane.frequencies[i] / f)) < std::abs(std::log(plane.frequencies[r] / f))) r = i;
  }
  const std::vector<float>& row = plane.energy[r];
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t j = 0; j < row.size(); ++j) {
    const double t = (static_cast<double>(j) / row.size() - 0.5) * kDuration;
    if (std::abs(t) < half) sum += row[j], ++count;
  }
  return sum / count;
}

bool is_dark(const std::uint8_t* p) { return p[0] < 60 && p[1] < 60 && p[2] < 60; }
bool is_white(const std::uint8_t* p) { return p[0] > 240 && p[1] > 240 && p[2] > 240; }

}  // namespace

TEST_CASE("data: Q transform of noise is median-normalised and finds a sine-Gaussian") {
  const QPlane noise = plane_of(0, 0, 1);
  double sum = 0;
  std::size_t count = 0;
  for (const auto& row : noise.energy) {
    std::vector<float> sorted = row;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    CHECK(sorted[sorted.size() / 2] == doctest::Approx(1.0).epsilon(0.02));
    sum += std::accumulate(row.begin(), row.end(), 0.0);
    count += row.size();
  }
  // Tile energy of Gaussian noise is exponential: mean / median = 1 / ln 2.
  CHECK(sum / count == doctest::Approx(1 / std::log(2.0)).epsilon(0.1));
  CHECK(noise.peak < 20);

  const QPlane loud = plane_of(30, 200, 1);
  CHECK(loud.peak > 150);  // about snr^2 / 2 = 450 for a well-matched tile
  // The loudest sample sits near 200 Hz and time 0.
  float best = 0;
  double best_f = 0, best_t = 0;
  for (std::size_t r = 0; r < loud.energy.size(); ++r) {
    const auto& row = loud.energy[r];
    const auto top = std::max_element(row.begin(), row.end());
    if (*top > best) {
      best = *top;
      best_f = loud.frequencies[r];
      best_t = (static_cast<double>(top - row.begin()) / row.size() - 0.5) * kDuration;
    }
  }
  CHECK(best_f == doctest::Approx(200).epsilon(0.2));
  CHECK(std::abs(best_t) < 0.02);

  // Normalised by the mean instead, every row of noise averages exactly 1, and the same tiles are
  // ln 2 times as loud.
  const QPlane by_mean = plane_of(0, 0, 1, QTransformOptions::Norm::mean);
  for (const auto& row : by_mean.energy)
    CHECK(std::accumulate(row.begin(), row.end(), 0.0) / static_cast<double>(row.size()) == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(by_mean.peak == doctest::Approx(noise.peak * std::log(2.0)).epsilon(0.15));
}

TEST_CASE("data: the robust mean normalises noise to 1 and leaves a long loud line bright") {
  // Noise alone: median / ln 2 is the mean of exponential tile energies.
  const QPlane noise = plane_of(0, 0, 1, QTransformOptions::Norm::robust_mean);
  double sum = 0;
  std::size_t count = 0;
  for (const auto& row : noise.energy) sum += std::accumulate(row.begin(), row.end(), 0.0), count += row.size();
  CHECK(sum / count == doctest::Approx(1.0).epsilon(0.05));

  // A steady 300 Hz line over 40 % of the segment: the row's mean rises with it and dims it; the
  // median, still the noise's, does not.
  WaveformBuilder line(kRate, kN);
  line.tone(-0.8, 0.8, [](double) { return 300.0; }, [](double) { return 1.0; }, 100, 0.05);
  const double by_mean = row_mean_near(plane_of(line, 1, QTransformOptions::Norm::mean), 300, 0.5);
  const double by_robust_mean = row_mean_near(plane_of(line, 1, QTransformOptions::Norm::robust_mean), 300, 0.5);
  CHECK(by_mean < 3);  // at most 1 / 0.4 times the noise, whatever the SNR
  CHECK(by_robust_mean > 10 * by_mean);
}

namespace {

// Glitch 7 of seed 1 drawn under two model sets: identical for the classes `kept`, different for `refitted`.
void check_model_sets(ModelSet older, ModelSet newer, std::initializer_list<const char*> kept,
                      std::initializer_list<const char*> refitted) {
  const std::vector<double> windows{1.0};
  ScanOptions a, b;
  a.models = older;
  b.models = newer;
  auto pixels = [&](const char* name, const ScanOptions& scan) {
    return synth_glitch(glitch_class_index(name), 7, 1, windows, scan).images[0].pixels;
  };
  for (const char* name : kept) {
    CAPTURE(name);
    CHECK(pixels(name, a) == pixels(name, b));
  }
  for (const char* name : refitted) {
    CAPTURE(name);
    CHECK(pixels(name, a) != pixels(name, b));
  }
}

}  // namespace

TEST_CASE("data: model sets v2 and v3 redraw the re-fitted classes and keep the others' glitches") {
  check_model_sets(ModelSet::v1, ModelSet::v2, {"Tomte", "Power_Line", "No_Glitch"}, {"Whistle", "Koi_Fish", "Scattered_Light"});
  check_model_sets(ModelSet::v2, ModelSet::v3, {"Whistle", "Power_Line", "Blip"}, {"Violin_Mode", "Helix", "Tomte"});
  for (const char* name : kModelSetNames) CHECK(model_set_name(model_set_from_name(name)) == std::string(name));
  CHECK(model_set_from_name("v2") == ModelSet::v2);
  CHECK(model_set_from_name(model_set_name(ModelSet::v1)) == ModelSet::v1);
  using Norm = QTransformOptions::Norm;
  for (Norm norm : {Norm::median, Norm::mean, Norm::robust_mean}) CHECK(energy_norm_from_name(energy_norm_name(norm)) == norm);
  CHECK(std::string(energy_norm_name(Norm::robust_mean)) == "robust-mean");
  CHECK_THROWS_WITH_AS(energy_norm_from_name("max"), doctest::Contains("known: median, mean, robust-mean"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(model_set_from_name("v4"), doctest::Contains("known: v1, v2, v3"), std::invalid_argument);
}

TEST_CASE("data: aLIGO design PSD has its minimum in the bucket") {
  CHECK(aligo_psd(20) > 10 * aligo_psd(200));
  CHECK(aligo_psd(2000) > aligo_psd(200));
  CHECK(std::sqrt(aligo_psd(200)) == doctest::Approx(4e-24).epsilon(0.5));
}

TEST_CASE("data: synthetic glitches are deterministic for a seed") {
  const std::vector<double> windows{1.0};
  const int blip = glitch_class_index("Blip");
  const SynthGlitch a = synth_glitch(blip, 42, 3, windows), b = synth_glitch(blip, 42, 3, windows);
  const SynthGlitch other_seed = synth_glitch(blip, 43, 3, windows), other_index = synth_glitch(blip, 42, 4, windows);
  CHECK(a.id == b.id);
  CHECK(a.images[0].pixels == b.images[0].pixels);
  CHECK(encode_png(a.images[0]) == encode_png(b.images[0]));
  CHECK(a.images[0].pixels != other_seed.images[0].pixels);
  CHECK(a.images[0].pixels != other_index.images[0].pixels);
  CHECK(a.id != other_seed.id);
  CHECK_THROWS_AS(glitch_class_index("Dragon"), std::invalid_argument);
}

TEST_CASE("data: imbalanced class counts fall geometrically") {
  CHECK(imbalanced_counts(100, 3, 1) == std::vector<std::size_t>{100, 100, 100});
  CHECK(imbalanced_counts(100, 3, 4) == std::vector<std::size_t>{100, 50, 25});
  CHECK(imbalanced_counts(10, 5, 100).back() == 1);
  CHECK_THROWS_AS(imbalanced_counts(10, 3, 0.5), std::invalid_argument);
}

TEST_CASE("data: a synthetic set has the real layout and loads like the real sample") {
  GG_REQUIRE_SHARED_DATA();
  const fs::path out = fs::temp_directory_path() / "gg_test_synth_set";
  fs::remove_all(out);
  SynthDatasetOptions options;
  options.out = out;
  options.per_class = 4;
  options.classes = {"Blip", "Whistle", "Scattered_Light"};
  options.imbalance = 4;
  options.seed = 5;
  options.windows = {1.0, 2.0};
  std::size_t calls = 0;
  const SynthSummary summary = write_synth_dataset(options, [&](const SynthProgress& p) {
    ++calls;
    CHECK(p.done <= p.total);
  });
  CHECK(summary.counts == std::vector<std::size_t>{4, 2, 1});
  CHECK(calls == 7);
  CHECK(summary.images == 14);

  LoadOptions load;
  load.root = out;
  load.preprocess.windows = {1.0, 2.0};
  load.preprocess.height = load.preprocess.width = 8;
  const Dataset d = load_gravityspy(load).dataset;
  CHECK(d.class_names() == std::vector<std::string>{"Blip", "Scattered_Light", "Whistle"});
  CHECK(d.class_counts() == std::vector<std::size_t>{4, 1, 2});
  CHECK(d.channels() == 2);

  // The plot frame is where the real one is, so the real crop applies: frame lines at x = 100 and
  // 674 and y = 60 and 540, figure background outside, and no background inside the crop.
  const Image synth = read_png(fs::directory_iterator(out / "Blip")->path());
  const Image real = read_png(*std::find_if(fs::directory_iterator(fs::path(GG_SHARED_DIR) / "data/gravityspy-sample/Blip"),
                                            fs::directory_iterator{}, [](const fs::directory_entry&) { return true; }));
  for (const Image* image : {&synth, &real}) {
    CHECK(image->width == 800);
    CHECK(image->height == 600);
    for (int y = 80; y < 520; y += 37) {
      CHECK(is_dark(image->at(100, y)));
      CHECK(is_dark(image->at(674, y)));
    }
    for (int x = 120; x < 660; x += 41) {
      CHECK(is_dark(image->at(x, 60)));
      CHECK(is_dark(image->at(x, 540)));
      CHECK(is_white(image->at(x, 50)));
    }
    const Image plot = crop(*image, PreprocessOptions{}.crop);
    bool any_white = false;
    for (int y = 0; y < plot.height; ++y) {
      for (int x = 0; x < plot.width; ++x) any_white = any_white || is_white(plot.at(x, y));
    }
    CHECK_FALSE(any_white);
  }
  fs::remove_all(out);
}

TEST_CASE("data: the scan's axes follow the real geometry") {
  CHECK(ScanGeometry::row_of(10) == 540);
  CHECK(ScanGeometry::row_of(2048) == 60);
  CHECK(ScanGeometry::frequency_at(540) == doctest::Approx(10));
  CHECK(ScanGeometry::column_of(-0.5, 1.0) == 101);
  CHECK(ScanGeometry::column_of(0.5, 1.0) == 673);
  CHECK(ScanGeometry::time_at(101, 2.0) == doctest::Approx(-1.0));
}

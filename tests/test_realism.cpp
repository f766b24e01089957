// The realism statistics of synth-check (data/realism.h) on hand-made scans whose answers are known,
// and on two synthetic sets of one seed.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "data/gravityspy_loader.h"
#include "data/realism.h"
#include "data/synth/synth_dataset.h"
#include "data/synth/viridis.h"
#include "tests/temp_dir.h"

using namespace gg;
using data::synth::viridis;

namespace {

constexpr double kBackground = 0.04, kLoud = 0.9;  // whitened noise ~1 of 25.5; a loud tile
constexpr double kStep = 1.0 / 255;                // the colour map's resolution

// One RGB (planar) scan of size x size whose energy at (row, column) is energy(row, column).
data::Dataset hand_made(int size, const std::function<double(int, int)>& energy) {
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  std::vector<std::uint8_t> pixels(3 * plane);
  for (int r = 0; r < size; ++r)
    for (int c = 0; c < size; ++c) {
      const data::synth::Rgb colour = viridis(energy(r, c));
      const std::size_t i = static_cast<std::size_t>(r) * size + c;
      pixels[i] = colour.r, pixels[plane + i] = colour.g, pixels[2 * plane + i] = colour.b;
    }
  return data::Dataset({"Hand"}, 3, size, size, std::move(pixels), {0}, {data::SampleInfo{}});
}

}  // namespace

TEST_CASE("realism: the colour scale maps back to the energy it drew") {
  for (double t : {0.0, 0.04, 0.3, 0.5, 0.9, 1.0})
    CHECK(data::synth::viridis_position(viridis(t)) == doctest::Approx(std::round(t * 255) / 255));
}

TEST_CASE("realism: a line at one frequency puts its energy in that row and spans the window") {
  const data::Dataset scan = hand_made(16, [](int r, int) { return r == 5 ? kLoud : kBackground; });
  const data::ScanStatistics s = data::scan_statistics(data::energy_map(scan, 0), 0.2);
  REQUIRE(s.row_energy.size() == 16);
  for (int r = 0; r < 16; ++r)
    CHECK(s.row_energy[static_cast<std::size_t>(r)] == doctest::Approx(r == 5 ? kLoud : kBackground).epsilon(kStep));
  CHECK(s.peak == doctest::Approx(kLoud).epsilon(kStep));
  CHECK(s.time_extent == 1.0);
  CHECK(s.frequency_extent == 1.0 / 16);
  CHECK(s.background[0] == 1.0);  // every other pixel is quiet
}

TEST_CASE("realism: the loud cluster is the one around the peak, measured in both axes") {
  // A 3 x 4 blob (rows 2-4, columns 6-9) and, apart from it, a weaker loud pixel that is not part of it.
  const data::Dataset scan = hand_made(16, [](int r, int c) {
    if (r >= 2 && r <= 4 && c >= 6 && c <= 9) return r == 3 && c == 7 ? 1.0 : kLoud;
    if (r == 12 && c == 1) return 0.5;
    return kBackground;
  });
  const data::ScanStatistics s = data::scan_statistics(data::energy_map(scan, 0), 0.2);
  CHECK(s.peak == 1.0);
  CHECK(s.time_extent == 4.0 / 16);
  CHECK(s.frequency_extent == 3.0 / 16);
  CHECK(s.background[5] == doctest::Approx(1.0 / (256 - 12)));  // the lone pixel counts as background
  const data::ScanStatistics quiet = data::scan_statistics(data::energy_map(scan, 0), 1.01);  // nothing that loud
  CHECK(quiet.time_extent == 0);
  CHECK(quiet.frequency_extent == 0);
}

TEST_CASE("realism: two synthetic sets of one seed give identical statistics, and compare as equal") {
  testing::TempDir tmp("gg_test_realism");
  auto write = [&](const std::string& name) {
    data::synth::SynthDatasetOptions o;
    o.out = tmp.path() / name;
    o.per_class = 3;
    o.classes = {"Blip", "Whistle"};
    o.seed = 4;
    o.windows = {1.0};
    data::synth::write_synth_dataset(o);
    data::LoadOptions load;
    load.root = o.out;
    load.preprocess.height = load.preprocess.width = 32;
    load.preprocess.color = data::ColorMode::rgb;
    return data::class_statistics(data::load_gravityspy(load).dataset, 0.2);
  };
  const std::vector<data::ClassStatistics> a = write("a"), b = write("b");
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].name == b[k].name);
    CHECK(a[k].scans == 3);
    CHECK(a[k].row_energy == b[k].row_energy);
    CHECK(a[k].peak_mean == b[k].peak_mean);
    CHECK(a[k].time_extent_mean == b[k].time_extent_mean);
    CHECK(a[k].background == b[k].background);
    const data::ClassComparison same = data::compare_class(a[k], b[k]);
    CHECK(same.row_energy_difference == 0);
    CHECK(same.background_distance == 0);
    CHECK(same.time_extent_ratio == 1);
  }
  CHECK(data::compare_class(a[0], a[1]).row_energy_difference > 0);  // Blip is not Whistle
}

// Classifier data: relabelling into a larger label space, splits, and generated images.
#include <doctest/doctest.h>

#include "data/png_io.h"
#include "nets/classifier_data.h"
#include "tests/temp_dir.h"
#include "tests/test_classifier_helpers.h"

using namespace gg;

TEST_CASE("classifier data: a data set of a few classes joins a larger label space") {
  const data::Dataset d = testing::constant_dataset(6, 4, 7, {0, 1}, {"Blip", "Whistle"});
  const data::Dataset moved = nets::relabel_into(d, {"Air_Compressor", "Blip", "Koi_Fish", "Whistle"});
  REQUIRE(moved.size() == 6);
  CHECK(moved.num_classes() == 4);
  CHECK(moved.labels() == std::vector<int>{1, 3, 1, 3, 1, 3});
  CHECK(moved.pixels(5)[0] == 7);
  CHECK_THROWS_WITH_AS(nets::relabel_into(d, {"Blip"}), doctest::Contains("Whistle"), std::invalid_argument);
}

TEST_CASE("classifier data: split folders when present, else a seeded stratified split") {
  const data::Dataset d = testing::bars_dataset(40, 16, 1);
  const data::Splits a = nets::classifier_splits(d, 3), b = nets::classifier_splits(d, 3);
  CHECK(a.train.size() == 32);
  CHECK(a.validation.size() == 4);
  CHECK(a.test.size() == 4);
  CHECK(a.test.labels() == b.test.labels());
  CHECK(a.test.info(0).id == b.test.info(0).id);
  std::vector<data::SampleInfo> infos{{"train", "H1", "a"}, {"validation", "H1", "b"}, {"test", "H1", "c"}, {"train", "H1", "d"}};
  const data::Dataset folders({"A", "B"}, 1, 1, 1, std::vector<std::uint8_t>(4, 0), {0, 1, 0, 1}, infos);
  const data::Splits f = nets::classifier_splits(folders, 3);
  CHECK(f.train.size() == 2);
  CHECK(f.validation.info(0).id == "b");
  CHECK(f.test.info(0).id == "c");
}

TEST_CASE("classifier data: generated images are taken whole and resized to the classifier's size") {
  const testing::TempDir tmp("gg_classifier_generated");
  const std::filesystem::path& dir = tmp.path();
  // Two classes of 32x32 gray images, as `glitchgan sample` writes them, plus the grid at the top.
  for (int i = 0; i < 3; ++i) {
    for (const std::string cls : {"Blip", "Whistle"}) {
      data::Image image(32, 32, 1);
      std::fill(image.pixels.begin(), image.pixels.end(), static_cast<std::uint8_t>(cls == "Blip" ? 40 : 200));
      std::filesystem::create_directories(dir / cls);
      data::write_png(dir / cls / data::spectrogram_name("GAN", "s1n00000" + std::to_string(i), 1), image);
    }
  }
  data::write_png(dir / "grid.png", data::Image(64, 64, 1));
  data::PreprocessOptions real;
  real.height = real.width = 16;
  const data::PreprocessOptions p = nets::generated_preprocess(dir, real);
  CHECK(p.crop == data::CropBox{0, 32, 0, 32});
  CHECK(p.expected_width == 0);
  const data::Dataset d = nets::load_generated(dir, real, {"Blip", "Koi_Fish", "Whistle"});
  REQUIRE(d.size() == 6);
  CHECK(d.height() == 16);
  CHECK(d.num_classes() == 3);
  CHECK(d.class_counts() == std::vector<std::size_t>{3, 0, 3});
  CHECK(d.pixels(0)[0] == 40);
  CHECK_THROWS_WITH_AS(nets::load_generated(dir, real, {"Blip"}), doctest::Contains(dir.string().c_str()), std::invalid_argument);
}

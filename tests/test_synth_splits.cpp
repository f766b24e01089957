// The synthetic data set's held-out splits: balanced, from their own seed streams (no glitch, id or
// image shared), deterministic, and loaded back as the study's folder splits.
#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "data/file_io.h"
#include "data/gravityspy_layout.h"
#include "data/synth/glitch_models.h"
#include "data/synth/synth_dataset.h"
#include "study/study_settings.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using namespace gg::data;
using namespace gg::data::synth;
using gg::testing::TempDir;

namespace {

SynthDatasetOptions small_split_set(const fs::path& out) {
  SynthDatasetOptions o;
  o.out = out;
  o.classes = {"Blip", "Whistle", "Power_Line"};
  o.per_class = 4;
  o.imbalance = 4;  // 4, 2, 1
  o.validation_per_class = 2;
  o.test_per_class = 3;
  o.seed = 7;
  o.windows = {1.0};
  o.png_compression = 1;
  return o;
}

// Every PNG under `root`, by its path relative to `root`, with its bytes.
std::map<std::string, std::vector<std::uint8_t>> files_under(const fs::path& root) {
  std::map<std::string, std::vector<std::uint8_t>> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = read_file_bytes(entry.path());
  }
  return files;
}

std::size_t hash_of(const std::vector<std::uint8_t>& bytes) {
  return std::hash<std::string_view>{}({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

std::size_t png_count(const fs::path& folder) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(folder)) n += entry.path().extension() == ".png";
  return n;
}

}  // namespace

TEST_CASE("synth: held-out splits have the asked counts and share no glitch, id or image") {
  TempDir tmp("gg_test_synth_splits");
  const SynthDatasetOptions o = small_split_set(tmp.path() / "set");
  const SynthSummary summary = write_synth_dataset(o);
  CHECK(summary.counts == std::vector<std::size_t>{4, 2, 1});
  CHECK(summary.glitches == 7 + 3 * 2 + 3 * 3);
  CHECK(summary.images == summary.glitches);
  for (std::size_t c = 0; c < o.classes.size(); ++c) {
    CHECK(png_count(o.out / "train" / o.classes[c]) == summary.counts[c]);
    CHECK(png_count(o.out / "validation" / o.classes[c]) == 2);
    CHECK(png_count(o.out / "test" / o.classes[c]) == 3);
  }
  CHECK_FALSE(fs::exists(o.out / "Blip"));  // no flat class folders beside the splits

  const auto files = files_under(o.out);
  REQUIRE(files.size() == summary.glitches);
  std::set<std::string> ids;
  std::set<std::size_t> images;  // hashes of the files' bytes
  for (const auto& [path, bytes] : files) {
    const auto name = parse_spectrogram_name(fs::path(path).filename().string());
    REQUIRE(name);
    ids.insert(name->id);
    images.insert(hash_of(bytes));
  }
  CHECK(ids.size() == files.size());
  CHECK(images.size() == files.size());

  gg::study::StudySettings settings;
  settings.resolution = 8;
  const gg::study::StudyData data = gg::study::load_study_data(o.out, settings, tmp.path() / "cache");
  CHECK(data.description.find("by its train/validation/test folders") != std::string::npos);
  // The loader sorts classes by name: Blip, Power_Line, Whistle.
  CHECK(data.splits.train.class_counts() == std::vector<std::size_t>{4, 1, 2});
  CHECK(data.splits.validation.class_counts() == std::vector<std::size_t>{2, 2, 2});
  CHECK(data.splits.test.class_counts() == std::vector<std::size_t>{3, 3, 3});
  std::set<std::string> loaded_ids;
  for (const gg::data::Dataset* split : {&data.splits.train, &data.splits.validation, &data.splits.test}) {
    for (std::size_t i = 0; i < split->size(); ++i) loaded_ids.insert(split->info(i).id);
  }
  CHECK(loaded_ids == ids);
}

TEST_CASE("synth: splits are deterministic for a seed, and each split ignores the others' sizes") {
  TempDir tmp("gg_test_synth_splits_seed");
  SynthDatasetOptions o = small_split_set(tmp.path() / "a");
  write_synth_dataset(o);
  const auto a = files_under(o.out);

  o.out = tmp.path() / "b";
  o.test_per_class = 1;
  write_synth_dataset(o);
  const auto b = files_under(o.out);
  // Same seed: every file of b is in a, byte for byte; only the test split lost glitches 1 and 2.
  for (const auto& [path, bytes] : b) {
    INFO(path);
    REQUIRE(a.count(path) == 1);
    CHECK(a.at(path) == bytes);
  }
  CHECK(a.size() - b.size() == 3 * 2);

  o.out = tmp.path() / "c";
  o.seed = 8;
  write_synth_dataset(o);
  for (const auto& [path, bytes] : files_under(o.out)) CHECK(a.count(path) == 0);  // other ids
}

TEST_CASE("synth: glitch ids are unique per class, split and index, and look like Gravity Spy ids") {
  std::set<std::string> ids;
  std::size_t made = 0;
  for (int klass = 0; klass < static_cast<int>(kGlitchClasses.size()); ++klass) {
    for (SynthSplit split : {SynthSplit::train, SynthSplit::validation, SynthSplit::test}) {
      for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{999}, kSplitStride - 1}) {
        const std::string id = synth_glitch_id(3, klass, split, i);
        CHECK(id.size() == 10);
        for (char c : id) CHECK(std::isalnum(static_cast<unsigned char>(c)));
        ids.insert(id);
        ++made;
      }
    }
  }
  CHECK(ids.size() == made);
  CHECK(synth_glitch_id(3, 0, SynthSplit::test, 5) == synth_glitch_id(3, 0, SynthSplit::test, 5));
  CHECK(synth_glitch_id(3, 0, SynthSplit::test, 5) != synth_glitch_id(4, 0, SynthSplit::test, 5));
}

TEST_CASE("synth: bad split options name their flag before anything is written") {
  TempDir tmp("gg_test_synth_splits_bad");
  SynthDatasetOptions o = small_split_set(tmp.path() / "set");
  o.test_per_class = 0;
  CHECK_THROWS_WITH_AS(write_synth_dataset(o), doctest::Contains("--test-per-class"), std::invalid_argument);
  o = small_split_set(tmp.path() / "set");
  o.validation_per_class = kSplitStride + 1;
  CHECK_THROWS_WITH_AS(write_synth_dataset(o), doctest::Contains("--validation-per-class"), std::invalid_argument);
  o = small_split_set(tmp.path() / "set");
  o.classes = {"Blip", "Whistle", "Blip"};
  CHECK_THROWS_WITH_AS(write_synth_dataset(o), doctest::Contains("Blip twice"), std::invalid_argument);
  o.classes = {"Blip", "Dragon"};
  CHECK_THROWS_WITH_AS(write_synth_dataset(o), doctest::Contains("Dragon"), std::invalid_argument);
  CHECK_FALSE(fs::exists(o.out));
}

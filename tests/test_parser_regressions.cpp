// Regressions of the parsers of outside bytes: each case is an input that fuzz/ (or the review of
// a harness) found mishandled, fixed in the parser; and the in-memory entry points the harnesses use.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "data/gravityspy_metadata.h"
#include "engine/serialize.h"
#include "nets/classifier_checkpoint.h"
#include "nets/progan_checkpoint.h"
#include "report/benchmark_json.h"
#include "report/jsonl_series.h"
#include "tests/temp_dir.h"

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

template <typename T> void put(std::vector<std::uint8_t>& out, T value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof value);
}

// A cache file of `samples` one-class samples with the given sides and `pixel_bytes` pixel bytes
// after the 64-byte aligned header (data/dataset_cache.h has the layout).
std::vector<std::uint8_t> cache_bytes(std::uint64_t key, std::uint64_t samples, std::uint32_t c, std::uint32_t h,
                                      std::uint32_t w, std::size_t pixel_bytes) {
  std::vector<std::uint8_t> out{'G', 'G', 'D', 'S', 'E', 'T', '0', '1'};
  put(out, key);
  put(out, samples);
  for (std::uint32_t v : {c, h, w, 1u, 0u}) put(out, v);  // sides, classes, problems
  put(out, std::uint32_t{1});
  out.push_back('A');
  for (std::uint64_t i = 0; i < samples; ++i) {
    put(out, std::int32_t{0});
    for (int s = 0; s < 3; ++s) put(out, std::uint32_t{0});  // empty split, ifo, id
  }
  out.resize((out.size() + 63) / 64 * 64 + pixel_bytes, 7);
  return out;
}

}  // namespace

TEST_CASE("parser regressions: a ProGAN state whose seed is a float beyond 64 bits is refused, not cast") {
  // fuzz_progan_state: UBSan "3.92536e+23 is outside the range of representable values of type
  // 'unsigned long'" (nlohmann::json casts any number to the integer asked for).
  const std::string state =
      R"({"alpha":1.0,"augment_probability":0.0,"data":{"position":16,"seed":11892102686111486544,"size":28},)"
      R"("images_shown":16,"kimg":0.016,"level":2,"phase":"stabilize","previous_lod":1.0,"resolution":4,"rng":)"
      R"({"augment":{"offset":0,"seed":5486191730755251482},"mixing":{"offset":0,"seed":5486191730755251482},)"
      R"("labels":{"offset":16,"seed":3094215071132205595},"latents":{"offset":32,"seed":392536317241972134115001}},)"
      R"("step":4})";
  CHECK_THROWS_WITH_AS(gg::nets::state_from_json(state),
                       doctest::Contains("'seed' must be an integer from 0 to 18446744073709551615, found 3.925"),
                       std::invalid_argument);
  std::string negative = state;
  negative.replace(negative.find("\"step\":4"), 8, "\"step\":-4.5");
  CHECK_THROWS_WITH_AS(gg::nets::state_from_json(negative), doctest::Contains("'step' must be an integer"),
                       std::invalid_argument);
}

TEST_CASE("parser regressions: integer fields of the checkpoint configs are range-checked") {
  const gg::nets::ProganTrainConfig progan = gg::nets::config_from_json(gg::nets::config_to_json([] {
    gg::nets::ProganTrainConfig c;
    c.net.resolution = 8;
    c.class_names = {"Blip"};
    return c;
  }()));
  std::string text = gg::nets::config_to_json(progan);
  text.replace(text.find("\"resolution\":8"), 14, "\"resolution\":1e30");
  CHECK_THROWS_WITH_AS(gg::nets::config_from_json(text), doctest::Contains("'resolution' must be an integer"),
                       std::invalid_argument);
  text = gg::nets::config_to_json(progan);
  text.replace(text.find("\"grid_count\":32"), 15, "\"grid_count\":4294967297");  // wrapped to 1 before
  CHECK_THROWS_WITH_AS(gg::nets::config_from_json(text), doctest::Contains("'grid_count' must be an integer"),
                       std::invalid_argument);

  gg::nets::ClassifierCheckpoint meta;
  meta.class_names = {"Blip", "Chirp"};
  std::string classifier = gg::nets::checkpoint_to_json(meta);
  REQUIRE(gg::nets::checkpoint_from_json(classifier).config == meta.config);
  classifier.replace(classifier.find("[32,64,128,256]"), 15, "[32,64,1e12,256]");
  CHECK_THROWS_WITH_AS(gg::nets::checkpoint_from_json(classifier), doctest::Contains("'widths' must be an integer"),
                       std::invalid_argument);
}

TEST_CASE("parser regressions: a dataset cache whose sides overflow the size check is no cache") {
  // Found writing fuzz_dataset_cache: samples x C x H x W was computed modulo 2^64, so sides whose
  // product is 2^64 + 64 matched a file with 64 pixel bytes and were accepted.
  const std::uint32_t c = 536903681, h = 536838145;  // c * h = 2^58 + 1, times 64 = 2^64 + 64
  const std::vector<std::uint8_t> forged = cache_bytes(9, 1, c, h, 64, 64);
  CHECK_FALSE(gg::data::decode_dataset_cache(forged, nullptr, 9).has_value());
  const std::vector<std::uint8_t> too_wide = cache_bytes(9, 0, 1, 1, 0x80000000u, 0);  // beyond the Dataset's int
  CHECK_FALSE(gg::data::decode_dataset_cache(too_wide, nullptr, 9).has_value());

  const std::vector<std::uint8_t> honest = cache_bytes(9, 2, 1, 4, 8, 64);
  const auto cached = gg::data::decode_dataset_cache(honest, nullptr, 9);
  REQUIRE(cached.has_value());
  CHECK(cached->dataset.size() == 2);
  CHECK(cached->dataset.pixels(1).size() == 32);
  CHECK(cached->dataset.pixels(1)[0] == 7);
  CHECK_FALSE(gg::data::decode_dataset_cache(honest, nullptr, 10).has_value());  // another key
}

TEST_CASE("parser regressions: Google Benchmark JSON, medians of repetitions and wrongly typed entries") {
  // Found moving bench-compare's reader into the library: files written with
  // --benchmark_report_aggregates_only (those in bench/results) gave no times, so bench-compare
  // compared nothing; an entry that was no object threw nlohmann's error without the file's name.
  const std::string aggregates = R"({"benchmarks":[
    {"name":"BM_a/real_time_mean","run_name":"BM_a/real_time","run_type":"aggregate","aggregate_name":"mean","real_time":3,"time_unit":"ms"},
    {"name":"BM_a/real_time_median","run_name":"BM_a/real_time","run_type":"aggregate","aggregate_name":"median","real_time":2,"time_unit":"ms"}]})";
  const auto times = gg::report::parse_benchmark_times(aggregates, "agg.json");
  REQUIRE(times.size() == 1);
  CHECK(times.at("BM_a/real_time") == 2e6);
  const std::string repetitions = R"({"benchmarks":[
    {"name":"BM_b","run_type":"iteration","real_time":5},{"name":"BM_b","run_type":"iteration","real_time":1},
    {"name":"BM_b","run_type":"iteration","real_time":4},{"name":"BM_c","real_time":2,"time_unit":"us"},
    {"name":"BM_d","run_type":"iteration","error_occurred":true}]})";
  CHECK(gg::report::parse_benchmark_times(repetitions, "rep.json") == std::map<std::string, double>{{"BM_b", 4}, {"BM_c", 2000}});
  CHECK_THROWS_WITH_AS(gg::report::parse_benchmark_times(R"({"benchmarks":[7]})", "bad.json"),
                       doctest::Contains("bad.json: bad entry 0"), std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::report::parse_benchmark_times(R"({"benchmarks":[{"name":"x","real_time":"1"}]})", "bad.json"),
                       doctest::Contains("bad.json: bad entry 0"), std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::report::parse_benchmark_times("[]", "list.json"), doctest::Contains("list.json: no \"benchmarks\""),
                       std::runtime_error);
}

TEST_CASE("parser regressions: the metadata CSV parses from memory as from its file") {
  const std::string csv = "gravityspy_id,label,sample_type\nabc,Blip,train\n\"d,e\",Chirp,test\n";
  const auto rows = gg::data::parse_gravityspy_metadata(bytes_of(csv), "meta.csv");
  CHECK(rows.size() == 2);
  CHECK(rows.at("d,e").label == "Chirp");
  CHECK_THROWS_WITH_AS(gg::data::parse_gravityspy_metadata(bytes_of("gravityspy_id\n\"x"), "meta.csv"),
                       doctest::Contains("meta.csv: malformed CSV"), std::runtime_error);
}

TEST_CASE("parser regressions: a number beyond a double is a clean error naming the file, not an escaped JSON exception") {
  // fuzz_safetensors found it: nlohmann's parser throws out_of_range (406), not parse_error, for
  // 8888...e8888, and the readers caught parse_error only.
  const gg::testing::TempDir dir("gg_parser_huge_number");
  const std::string huge = "888888888888888888888888e88888888888";
  const std::string header = "{\"w\":{\"data_offsets\":[0,4],\"dtype\":\"F32\",\"shape\":[" + huge + "]}}";
  const std::filesystem::path st = dir.path() / "huge.safetensors";
  {
    std::ofstream out(st, std::ios::binary);
    const std::uint64_t n = header.size();
    out.write(reinterpret_cast<const char*>(&n), sizeof n);
    out << header << "abcd";
  }
  const std::string st_error = st.string() + ": header is not valid JSON";
  CHECK_THROWS_WITH_AS(gg::load_safetensors(st.string()), doctest::Contains(st_error.c_str()), std::runtime_error);

  const std::filesystem::path log = dir.path() / "log.jsonl";
  std::ofstream(log) << "{\"kimg\": 1, \"loss\": 0.5}\n{\"kimg\": " << huge << "}\n";
  const std::string log_error = log.string() + ":2: not JSON";
  CHECK_THROWS_WITH_AS(gg::report::series_from_jsonl(log, "kimg", {"loss"}), doctest::Contains(log_error.c_str()),
                       std::runtime_error);
}

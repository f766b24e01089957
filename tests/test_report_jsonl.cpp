// Series from JSON-lines logs: ProGAN-style lines, skipped nulls and blank lines, and errors that
// name the file and line.
#include <doctest/doctest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "report/jsonl_series.h"
#include "tests/temp_dir.h"

using gg::report::Series;
using gg::report::series_from_jsonl;
using gg::testing::TempDir;

namespace {

// The error message of series_from_jsonl on a file holding `text`, or "" when it succeeds.
std::string error_of(const TempDir& tmp, const std::string& text, const std::vector<std::string>& y_keys) {
  const std::string file = tmp.file("log.jsonl");
  std::ofstream(file) << text;
  try {
    series_from_jsonl(file, "kimg", y_keys);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("report: series_from_jsonl reads one series per key and skips nulls and blank lines") {
  TempDir tmp("gg_test_report_jsonl");
  const std::string file = tmp.file("log.jsonl");
  std::ofstream(file) << R"({"step": 1, "kimg": 0.5, "d_loss": -2.5, "g_loss": 1.25, "gp": 0.1, "phase": "stabilize"})" "\n"
                      << "\n"
                      << R"({"step": 2, "kimg": 1.0, "d_loss": -1.5, "g_loss": null, "gp": 0.2})" "\n"
                      << R"({"step": 3, "kimg": 1.5, "d_loss": -1.0, "g_loss": 0.75})" "\n";
  const std::vector<Series> series = series_from_jsonl(file, "kimg", {"d_loss", "g_loss", "gp"});
  REQUIRE(series.size() == 3);
  CHECK(series[0].label == "d_loss");
  CHECK(series[0].x == std::vector<double>{0.5, 1.0, 1.5});
  CHECK(series[0].y == std::vector<double>{-2.5, -1.5, -1.0});
  CHECK(series[1].x == std::vector<double>{0.5, 1.5});
  CHECK(series[1].y == std::vector<double>{1.25, 0.75});
  CHECK(series[2].x == std::vector<double>{0.5, 1.0});
  CHECK(series[2].error.empty());
  // Integer x values work too.
  CHECK(series_from_jsonl(file, "step", {"gp"})[0].x == std::vector<double>{1, 2});
}

TEST_CASE("report: series_from_jsonl errors name the file and the line") {
  TempDir tmp("gg_test_report_jsonl_errors");
  const std::string ok = R"({"kimg": 1, "d_loss": 2})" "\n";
  CHECK(error_of(tmp, ok, {"d_loss"}).empty());
  const std::string bad_json = error_of(tmp, ok + ok + "{\"kimg\": 3, \"d_loss\":\n", {"d_loss"});
  CHECK(bad_json.find("log.jsonl:3") != std::string::npos);
  CHECK(bad_json.find("not JSON") != std::string::npos);
  const std::string no_x = error_of(tmp, ok + R"({"d_loss": 2})" "\n", {"d_loss"});
  CHECK(no_x.find("log.jsonl:2") != std::string::npos);
  CHECK(no_x.find("\"kimg\"") != std::string::npos);
  CHECK(error_of(tmp, R"({"kimg": "1", "d_loss": 2})", {"d_loss"}).find("log.jsonl:1") != std::string::npos);
  CHECK(error_of(tmp, R"({"kimg": 1, "d_loss": "2"})", {"d_loss"}).find("\"d_loss\" is not a number") != std::string::npos);
  CHECK(error_of(tmp, "[1, 2]\n", {"d_loss"}).find("not a JSON object") != std::string::npos);
  const std::string missing_key = error_of(tmp, ok, {"d_loss", "g_loss"});
  CHECK(missing_key.find("log.jsonl") != std::string::npos);
  CHECK(missing_key.find("\"g_loss\"") != std::string::npos);
  CHECK_THROWS_WITH_AS(series_from_jsonl(tmp.file("absent.jsonl"), "kimg", {"d_loss"}),
                       doctest::Contains("absent.jsonl"), std::runtime_error);
}

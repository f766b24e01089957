// report::parse_benchmark_times: the Google Benchmark JSON that `glitchgan bench-compare` reads.
#include "fuzz/fuzz_common.h"
#include "report/benchmark_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gg::fuzz::expect_clean_errors<std::runtime_error>(
      [&] { (void)gg::report::parse_benchmark_times(gg::fuzz::text(data, size), "fuzz.json"); }, "fuzz.json: ");
  return 0;
}

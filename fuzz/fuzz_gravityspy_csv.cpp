// data::parse_gravityspy_metadata: the release's metadata CSV through libcsv, then the columns.
#include "data/gravityspy_metadata.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gg::fuzz::expect_clean_errors<std::runtime_error>(
      [&] { (void)gg::data::parse_gravityspy_metadata(gg::fuzz::bytes(data, size), "fuzz.csv"); }, "fuzz.csv");
  return 0;
}

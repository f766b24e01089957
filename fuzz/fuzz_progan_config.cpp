// nets::config_from_json: the "glitchgan.config" document of a ProGAN checkpoint. Its errors are
// nlohmann::json's (missing keys, wrong types) and std::invalid_argument from validation, which
// read_checkpoint wraps with the file's name.
#include "fuzz/fuzz_common.h"
#include "nets/progan_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gg::fuzz::expect_clean_errors<std::exception>([&] { (void)gg::nets::config_from_json(gg::fuzz::text(data, size)); });
  return 0;
}

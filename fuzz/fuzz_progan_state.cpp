// nets::state_from_json: the "glitchgan.state" document of a ProGAN checkpoint (step, RNG streams,
// data position). Errors as for the config (fuzz_progan_config.cpp).
#include "fuzz/fuzz_common.h"
#include "nets/progan_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gg::fuzz::expect_clean_errors<std::exception>([&] { (void)gg::nets::state_from_json(gg::fuzz::text(data, size)); });
  return 0;
}

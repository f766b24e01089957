// nets::checkpoint_from_json: a classifier checkpoint's "glitchgan.classifier" document (config,
// class names, preprocessing). Errors are nlohmann::json's and std::invalid_argument, which
// load_classifier wraps with the file's name.
#include "fuzz/fuzz_common.h"
#include "nets/classifier_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gg::fuzz::expect_clean_errors<std::exception>(
      [&] { (void)gg::nets::checkpoint_from_json(gg::fuzz::text(data, size)); });
  return 0;
}

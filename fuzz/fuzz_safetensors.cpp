// gg::load_safetensors: the header length, the JSON header (dtypes, shapes, offsets, metadata) and
// the layout checks. It reads a path, so each input is written to a file under /dev/shm first.
#include "engine/serialize.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static gg::fuzz::ScratchFile file(".safetensors");
  const std::string& path = file.write(data, size);
  gg::fuzz::expect_clean_errors<std::runtime_error>(
      [&] {
        const gg::SafetensorsFile loaded = gg::load_safetensors(path);
        for (const auto& [name, t] : loaded.tensors)
          if (t.numel() != gg::shape_numel(t.shape())) gg::fuzz::finding("tensor '" + name + "' has a wrong numel");
      },
      path + ": ");
  return 0;
}

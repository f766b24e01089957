// data::decode_png: libpng behind our setjmp/longjmp error handling, size limits and conversions.
#include <zlib.h>

#include <cstring>
#include <vector>

#include "data/png_io.h"
#include "fuzz/fuzz_common.h"

namespace {

// Rewrites every chunk's CRC, so mutations inside chunks reach libpng's parsing instead of all
// stopping at the checksum. Returns false when nothing needed a change.
bool repair_crcs(std::vector<std::uint8_t>& png) {
  bool changed = false;
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t length = (std::uint32_t{png[at]} << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
    if (length > png.size() - at - 12) break;  // a truncated chunk: left as it is
    std::uint8_t* crc_at = png.data() + at + 8 + length;
    const auto crc = static_cast<std::uint32_t>(crc32(0, png.data() + at + 4, length + 4));
    const std::uint8_t want[4] = {static_cast<std::uint8_t>(crc >> 24), static_cast<std::uint8_t>(crc >> 16),
                                  static_cast<std::uint8_t>(crc >> 8), static_cast<std::uint8_t>(crc)};
    if (std::memcmp(crc_at, want, 4) != 0) {
      std::memcpy(crc_at, want, 4);
      changed = true;
    }
    at += 12 + length;
  }
  return changed;
}

void decode(std::span<const std::uint8_t> png) {
  gg::fuzz::expect_clean_errors<std::runtime_error>(
      [&] {
        const gg::data::Image image = gg::data::decode_png(png, "fuzz.png");
        if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
          gg::fuzz::finding("decoded pixel count differs from width x height x channels");
      },
      "PNG fuzz.png: ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  decode(gg::fuzz::bytes(data, size));
  std::vector<std::uint8_t> repaired(data, data + size);
  if (repair_crcs(repaired)) decode(repaired);
  return 0;
}

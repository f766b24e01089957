#pragma once
// PNG reading and writing through libpng.
// Reading accepts 8- and 16-bit gray, gray+alpha, RGB, RGBA and palette images (any bit depth,
// interlaced or not) and returns 8 bits per channel: palettes become RGB (RGBA with a tRNS
// chunk), low-bit gray is expanded, 16-bit samples are scaled to 8. Writing produces 8-bit gray
// (1 channel) or RGB (3 channels). Every failure — a missing, truncated, corrupt or non-PNG file —
// throws std::runtime_error whose message names the file.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "data/image.h"

namespace gg::data {

// Decodes PNG bytes; `name` is used in error messages.
Image decode_png(std::span<const std::uint8_t> bytes, const std::string& name);
Image read_png(const std::filesystem::path& path);

// zlib level 0..9: 1 is several times faster than the default 6 for a slightly larger file.
std::vector<std::uint8_t> encode_png(const Image& image, int compression_level = 6);
// Encodes and writes atomically (temporary file + rename).
void write_png(const std::filesystem::path& path, const Image& image, int compression_level = 6);

}  // namespace gg::data

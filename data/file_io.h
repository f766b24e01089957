#pragma once
// Whole-file reads. Atomic writes are the engine's (engine/posix_file.h: write_file_atomic).
#include <cstdint>
#include <filesystem>
#include <vector>

namespace gg::data {

// Throws std::runtime_error naming the file when it cannot be opened or read.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);

}  // namespace gg::data

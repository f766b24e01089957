#pragma once
// Whole-file reads and atomic writes: a reader never sees a half-written file, because data goes
// to a temporary file beside the target that is then renamed over it (rename is atomic on POSIX).
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace gg::data {

// Throws std::runtime_error naming the file when it cannot be opened or read.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to path.tmp.<pid>.<n>, then renames it to `path`; throws naming the file on failure.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace gg::data

#pragma once
// The preprocessed-dataset cache: one binary file per key, memory-mapped when read, so epochs and
// later runs never decode PNGs again.
//
// File layout (native little-endian):
//   "GGDSET01"                       8-byte magic (the digits are the format version)
//   u64 key                          fingerprint of the options and the source files
//   u64 samples, u32 C, H, W, u32 classes, u32 problems
//   classes x string                 class names (u32 length + bytes)
//   samples x (i32 label, string split, string ifo, string id)
//   problems x string                what skip_bad skipped while building it
//   zero padding to a multiple of 64
//   samples x C x H x W bytes        the pixels, memory-mapped in place
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace gg::data {

// `<dir>/dataset-<key as 16 hex digits>.ggds`
std::filesystem::path cache_file_path(const std::filesystem::path& dir, std::uint64_t key);

// Writes atomically (temporary file + rename); creates `path`'s folder if needed.
void write_dataset_cache(const std::filesystem::path& path, std::uint64_t key, const Dataset& dataset,
                         const std::vector<std::string>& problems);

struct CachedDataset {
  Dataset dataset;  // its pixels point into the mapping, which it keeps alive
  std::vector<std::string> problems;
};

// The cached dataset, or nullopt when the file is missing, has another key, or is damaged
// (the caller then rebuilds it).
std::optional<CachedDataset> read_dataset_cache(const std::filesystem::path& path, std::uint64_t key);
// The same from a cache file's bytes, which `owner` keeps alive (the pixels point into them).
std::optional<CachedDataset> decode_dataset_cache(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> owner,
                                                  std::uint64_t key);

}  // namespace gg::data

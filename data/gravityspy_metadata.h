#pragma once
// The official Gravity Spy release has no split folders: its metadata CSV
// (trainingset_v1d1_metadata.csv, 28 columns) gives each glitch's split in `sample_type`
// (train / validation / test), keyed by `gravityspy_id`, with the class in `label`.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <unordered_map>

#include "data/gravityspy_layout.h"

namespace gg::data {

struct GlitchMetadata {
  std::string label;
  std::string split;  // "train", "validation" or "test"
};

// gravityspy_id -> (label, split). Throws std::runtime_error naming the file for a missing or
// unreadable file, malformed CSV, a missing column, an unknown sample_type or a repeated id.
std::unordered_map<std::string, GlitchMetadata> read_gravityspy_metadata(const std::filesystem::path& csv);
// The same from the file's bytes; `csv` names it in errors.
std::unordered_map<std::string, GlitchMetadata> parse_gravityspy_metadata(std::span<const std::uint8_t> bytes,
                                                                           const std::string& csv);

// Sets each glitch's split from the metadata. A glitch the CSV does not list, or lists under
// another class, is an error naming it, unless `skip_bad`: then it is dropped and recorded in
// scan.problems.
void apply_metadata_splits(LayoutScan& scan, const std::unordered_map<std::string, GlitchMetadata>& metadata,
                           const std::filesystem::path& csv, bool skip_bad);

}  // namespace gg::data

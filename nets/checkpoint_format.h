#pragma once
// Every checkpoint glitchgan writes (ProGAN and classifier) records its format version in the
// safetensors metadata key "glitchgan.format". A reader refuses a file of a newer format by name
// rather than misreading it; a file without the key predates it and is version 1.
#include <filesystem>
#include <map>
#include <string>

namespace gg::nets {

inline constexpr const char* kFormatKey = "glitchgan.format";
inline constexpr int kFormatVersion = 1;

// The metadata entry a writer adds.
std::pair<std::string, std::string> format_entry();

// Throws, naming `file`, when the metadata's format is not one this build reads.
void check_format(const std::map<std::string, std::string>& metadata, const std::filesystem::path& file);

}  // namespace gg::nets

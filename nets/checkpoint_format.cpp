#include "nets/checkpoint_format.h"

#include <fmt/format.h>

#include <stdexcept>

namespace gg::nets {

std::pair<std::string, std::string> format_entry() { return {kFormatKey, std::to_string(kFormatVersion)}; }

void check_format(const std::map<std::string, std::string>& metadata, const std::filesystem::path& file) {
  const auto found = metadata.find(kFormatKey);
  if (found == metadata.end()) return;  // written before the key existed: version 1
  int version = 0;
  try {
    std::size_t used = 0;
    version = std::stoi(found->second, &used);
    if (used != found->second.size()) version = 0;
  } catch (const std::exception&) {
    version = 0;
  }
  if (version < 1) {
    throw std::runtime_error(fmt::format("{}: bad checkpoint format '{}' in '{}'", file.string(), found->second, kFormatKey));
  }
  if (version > kFormatVersion) {
    throw std::runtime_error(fmt::format("{}: written in checkpoint format {} by a newer glitchgan; this one reads up "
                                         "to format {}", file.string(), version, kFormatVersion));
  }
}

}  // namespace gg::nets

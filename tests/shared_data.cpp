#include "tests/shared_data.h"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace gg::testing {

bool shared_data_present() { return std::filesystem::is_directory(std::filesystem::path(GG_SHARED_DIR) / "data"); }

bool shared_data_required() {
  const char* value = std::getenv("GG_REQUIRE_SHARED_DATA");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace gg::testing

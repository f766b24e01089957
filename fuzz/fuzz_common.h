#pragma once
// What every harness shares. A parser's documented answer to bad bytes is an exception of a known
// type whose message names the input; those are caught here. Anything else (another exception, a
// message that does not name the input, a crash, a sanitizer report, a leak) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <span>
#include <string>
#include <string_view>

namespace gg::fuzz {

inline std::span<const std::uint8_t> bytes(const std::uint8_t* data, std::size_t size) { return {data, size}; }
inline std::string text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// Runs parse(); an `Expected` whose message starts with `prefix` is a clean refusal. bad_alloc is
// a finding even where Expected is std::exception: a forged size must not ask for the memory.
template <typename Expected, typename Parse>
void expect_clean_errors(Parse&& parse, std::string_view prefix = {}) {
  try {
    parse();
  } catch (const std::bad_alloc&) {
    finding("std::bad_alloc");
  } catch (const Expected& e) {
    if (!std::string_view(e.what()).starts_with(prefix))
      finding(std::string("error message does not name the input '") + std::string(prefix) + "': " + e.what());
  }
}

// A file under /dev/shm for parsers that take a path, one per process, removed at exit.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& suffix)
      : path_("/dev/shm/gg_fuzz_" + std::to_string(::getpid()) + suffix) {}
  ~ScratchFile() { std::remove(path_.c_str()); }
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out.flush()) finding("cannot write " + path_);
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace gg::fuzz

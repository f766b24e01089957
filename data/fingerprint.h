#pragma once
// Fingerprint: a 64-bit FNV-1a hash built from a sequence of fields. Strings are prefixed with
// their length so ("ab", "c") and ("a", "bc") differ. Good for cache keys, not for security.
#include <cstdint>
#include <string_view>

namespace gg::data {

class Fingerprint {
 public:
  Fingerprint& add(std::string_view text) {
    add(static_cast<std::uint64_t>(text.size()));
    for (char c : text) mix(static_cast<std::uint8_t>(c));
    return *this;
  }
  Fingerprint& add(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) mix(static_cast<std::uint8_t>(value >> (8 * i)));
    return *this;
  }
  std::uint64_t value() const { return hash_; }

 private:
  void mix(std::uint8_t byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001b3ull;  // the 64-bit FNV prime
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ull;  // the 64-bit FNV offset basis
};

}  // namespace gg::data

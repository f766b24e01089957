// data::decode_dataset_cache: a damaged cache file must read as "no cache" (nullopt), never throw,
// and a cache it accepts must hold every pixel it claims (each one is read here).
#include <cstring>

#include "data/dataset_cache.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The key is taken from the input itself, so a mutation is not refused at the key already.
  std::uint64_t key = 0;
  if (size >= 16) std::memcpy(&key, data + 8, sizeof key);
  const auto cached = gg::data::decode_dataset_cache(gg::fuzz::bytes(data, size), nullptr, key);
  if (!cached) return 0;
  const gg::data::Dataset& d = cached->dataset;
  unsigned sum = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d.label(i) < 0 || d.label(i) >= d.num_classes()) gg::fuzz::finding("label out of range");
    for (std::uint8_t v : d.pixels(i)) sum += v;
  }
  [[maybe_unused]] static volatile unsigned sink;  // keeps the pixel reads from being optimised away
  sink = sum;
  return 0;
}

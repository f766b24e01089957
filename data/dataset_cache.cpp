#include "data/dataset_cache.h"

#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "data/file_io.h"
#include "engine/posix_file.h"
#include "data/mapped_file.h"

namespace gg::data {

namespace {

constexpr char kMagic[8] = {'G', 'G', 'D', 'S', 'E', 'T', '0', '1'};
constexpr std::size_t kPixelAlignment = 64;

struct ByteWriter {
  std::vector<std::uint8_t> bytes;
  template <typename T> void put(T value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    bytes.insert(bytes.end(), p, p + sizeof value);
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
};

// Reads fields from untrusted bytes: every read is bounds-checked and failure is sticky.
struct ByteReader {
  std::span<const std::uint8_t> bytes;
  std::size_t position = 0;
  bool ok = true;

  template <typename T> T get() {
    T value{};
    if (!ok || bytes.size() - position < sizeof value) {
      ok = false;
      return value;
    }
    std::memcpy(&value, bytes.data() + position, sizeof value);
    position += sizeof value;
    return value;
  }
  std::string get_string() {
    const auto length = get<std::uint32_t>();
    if (!ok || bytes.size() - position < length) {
      ok = false;
      return {};
    }
    std::string s(reinterpret_cast<const char*>(bytes.data() + position), length);
    position += length;
    return s;
  }
};

std::size_t align_up(std::size_t n) { return (n + kPixelAlignment - 1) / kPixelAlignment * kPixelAlignment; }

}  // namespace

std::filesystem::path cache_file_path(const std::filesystem::path& dir, std::uint64_t key) {
  char name[64];
  std::snprintf(name, sizeof name, "dataset-%016llx.ggds", static_cast<unsigned long long>(key));
  return dir / name;
}

void write_dataset_cache(const std::filesystem::path& path, std::uint64_t key, const Dataset& dataset,
                         const std::vector<std::string>& problems) {
  ByteWriter w;
  w.bytes.insert(w.bytes.end(), kMagic, kMagic + sizeof kMagic);
  w.put<std::uint64_t>(key);
  w.put<std::uint64_t>(dataset.size());
  w.put<std::uint32_t>(dataset.channels());
  w.put<std::uint32_t>(dataset.height());
  w.put<std::uint32_t>(dataset.width());
  w.put<std::uint32_t>(dataset.num_classes());
  w.put<std::uint32_t>(static_cast<std::uint32_t>(problems.size()));
  for (const std::string& name : dataset.class_names()) w.put_string(name);
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    w.put<std::int32_t>(dataset.label(i));
    w.put_string(dataset.info(i).split);
    w.put_string(dataset.info(i).ifo);
    w.put_string(dataset.info(i).id);
  }
  for (const std::string& p : problems) w.put_string(p);
  w.bytes.resize(align_up(w.bytes.size()), 0);
  for (std::size_t i = 0; i < dataset.size(); ++i) {
    const auto px = dataset.pixels(i);
    w.bytes.insert(w.bytes.end(), px.begin(), px.end());
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  gg::write_file_atomic(path, w.bytes);
}

std::optional<CachedDataset> read_dataset_cache(const std::filesystem::path& path, std::uint64_t key) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  auto file = std::make_shared<const MappedFile>(path);
  return decode_dataset_cache(file->bytes(), file, key);
}

std::optional<CachedDataset> decode_dataset_cache(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> owner,
                                                  std::uint64_t key) {
  ByteReader r{bytes};
  if (r.bytes.size() < sizeof kMagic || std::memcmp(r.bytes.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  r.position = sizeof kMagic;
  if (r.get<std::uint64_t>() != key) return std::nullopt;
  const auto samples = r.get<std::uint64_t>();
  const auto channels = r.get<std::uint32_t>(), height = r.get<std::uint32_t>(), width = r.get<std::uint32_t>();
  const auto classes = r.get<std::uint32_t>(), problem_count = r.get<std::uint32_t>();
  std::vector<std::string> class_names;
  for (std::uint32_t k = 0; k < classes && r.ok; ++k) class_names.push_back(r.get_string());
  std::vector<int> labels;
  std::vector<SampleInfo> infos;
  for (std::uint64_t i = 0; i < samples && r.ok; ++i) {
    const int label = r.get<std::int32_t>();
    if (label < 0 || static_cast<std::uint32_t>(label) >= classes) r.ok = false;
    labels.push_back(label);
    SampleInfo info;
    info.split = r.get_string();
    info.ifo = r.get_string();
    info.id = r.get_string();
    infos.push_back(std::move(info));
  }
  std::vector<std::string> problems;
  for (std::uint32_t k = 0; k < problem_count && r.ok; ++k) problems.push_back(r.get_string());
  const std::size_t pixel_offset = align_up(r.position);
  if (!r.ok || pixel_offset > bytes.size()) return std::nullopt;
  // Forged sides must overflow neither the Dataset's ints nor the byte counts (a wrapped product
  // could match the file's size and let the pixels run past its end).
  constexpr std::uint32_t kMaxSide = std::numeric_limits<int>::max();
  std::size_t sample_bytes = 0, pixel_bytes = 0;
  if (channels > kMaxSide || height > kMaxSide || width > kMaxSide ||
      __builtin_mul_overflow(std::size_t{channels} * height, width, &sample_bytes) ||
      __builtin_mul_overflow(sample_bytes, samples, &pixel_bytes) || bytes.size() - pixel_offset != pixel_bytes)
    return std::nullopt;
  // The aliasing pointer keeps the bytes' owner alive as long as any view of the dataset.
  std::shared_ptr<const std::uint8_t> pixels(std::move(owner), bytes.data() + pixel_offset);
  return CachedDataset{Dataset(std::move(class_names), static_cast<int>(channels), static_cast<int>(height),
                               static_cast<int>(width), std::move(pixels), std::move(labels), std::move(infos)),
                       std::move(problems)};
}

}  // namespace gg::data

#include "engine/serialize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/posix_file.h"

namespace gg {
namespace {

// The format stores little-endian bytes; tensors and the length field are copied as they lie in memory.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes a little-endian host");

using nlohmann::json;

constexpr std::uint64_t kLengthBytes = 8;
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

[[noreturn]] void fail_errno(const std::string& path, const std::string& what) {
  fail(path, what + ": " + std::strerror(errno));
}

std::string tensor_label(const std::string& name) { return "tensor '" + name + "'"; }

const char* format_dtype(DType t) { return t == DType::f32 ? "F32" : "F64"; }

// ---- Writing ----

json make_header(const std::string& path, const TensorMap& tensors,
                 const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == kMetadataKey) fail(path, "'__metadata__' is reserved and cannot name a tensor");
    if (!t.defined()) fail(path, tensor_label(name) + " is undefined");
    const std::uint64_t end = offset + t.nbytes();
    header[name] = {{"dtype", format_dtype(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  return header;
}

// The length field followed by the JSON text, padded with spaces so the data starts 8-byte aligned.
std::string encode_header(const std::string& path, const json& header) {
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {  // names or metadata that are not valid UTF-8
    fail(path, std::string("cannot encode the header: ") + e.what());
  }
  text.resize((text.size() + 7) / 8 * 8, ' ');
  const std::uint64_t length = text.size();
  std::string out(kLengthBytes, '\0');
  std::memcpy(out.data(), &length, kLengthBytes);
  return out + text;
}

void write_tensors(AtomicFileWriter& out, const TensorMap& tensors) {
  std::vector<std::byte> host;
  for (const auto& [name, t] : tensors) {
    host.resize(t.nbytes());
    t.copy_to_host(host.data(), host.size());
    out.write(host.data(), host.size());
  }
}

// ---- Reading ----

struct Record {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  std::uint64_t begin = 0, end = 0;  // relative to the start of the data buffer
};

struct Header {
  std::vector<Record> records;
  std::map<std::string, std::string> metadata;
};

std::uint64_t regular_file_size(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_errno(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
  return static_cast<std::uint64_t>(st.st_size);
}

void read_exact(const std::string& path, int fd, void* dst, std::size_t bytes, std::uint64_t offset) {
  char* p = static_cast<char*>(dst);
  while (bytes > 0) {
    const ssize_t n = ::pread(fd, p, bytes, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path, "read failed");
    }
    if (n == 0) fail(path, "truncated: the file ended while reading it");
    p += n;
    bytes -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

DType parse_dtype(const std::string& path, const std::string& name, const json& v) {
  if (!v.is_string()) fail(path, tensor_label(name) + ": \"dtype\" must be a string, found " + v.dump());
  const auto& s = v.get_ref<const std::string&>();
  if (s == "F32") return DType::f32;
  if (s == "F64") return DType::f64;
  fail(path, tensor_label(name) + " has unsupported dtype " + s + " (this engine reads F32 and F64)");
}

// Rejects shapes whose element count (times the element size) would overflow, even when a zero
// dimension makes the true count small, so no later product over the shape can overflow.
Shape parse_shape(const std::string& path, const std::string& name, const json& v, DType dtype) {
  if (!v.is_array()) fail(path, tensor_label(name) + ": \"shape\" must be an array, found " + v.dump());
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t magnitude = dtype_size(dtype);
  Shape shape;
  for (const json& d : v) {
    if (!d.is_number_integer()) fail(path, tensor_label(name) + ": \"shape\" must hold integers, found " + v.dump());
    if (!d.is_number_unsigned()) fail(path, tensor_label(name) + " has a negative dimension in shape " + v.dump());
    const auto size = d.get<std::uint64_t>();
    if (size > kMax || (size > 0 && magnitude > kMax / size))
      fail(path, tensor_label(name) + " has shape " + v.dump() + ", whose size overflows");
    magnitude *= std::max<std::uint64_t>(size, 1);
    shape.push_back(static_cast<std::int64_t>(size));
  }
  return shape;
}

std::pair<std::uint64_t, std::uint64_t> parse_offsets(const std::string& path, const std::string& name,
                                                      const json& v) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number_unsigned() || !v[1].is_number_unsigned())
    fail(path, tensor_label(name) + ": \"data_offsets\" must be two non-negative integers, found " + v.dump());
  const auto begin = v[0].get<std::uint64_t>(), end = v[1].get<std::uint64_t>();
  if (end < begin) fail(path, tensor_label(name) + ": data_offsets " + v.dump() + " end before they begin");
  return {begin, end};
}

Record parse_entry(const std::string& path, const std::string& name, const json& entry) {
  if (!entry.is_object())
    fail(path, tensor_label(name) + ": entry must be a JSON object, found " + std::string(entry.type_name()));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) fail(path, tensor_label(name) + " is missing \"" + key + "\"");
  Record r;
  r.name = name;
  r.dtype = parse_dtype(path, name, entry["dtype"]);
  r.shape = parse_shape(path, name, entry["shape"], r.dtype);
  std::tie(r.begin, r.end) = parse_offsets(path, name, entry["data_offsets"]);
  const std::uint64_t expected = static_cast<std::uint64_t>(shape_numel(r.shape)) * dtype_size(r.dtype);
  if (r.end - r.begin != expected)
    fail(path, tensor_label(name) + ": size mismatch: data_offsets " + entry["data_offsets"].dump() + " hold " +
                   std::to_string(r.end - r.begin) + " bytes but shape " + shape_str(r.shape) + " of " +
                   format_dtype(r.dtype) + " needs " + std::to_string(expected));
  return r;
}

std::map<std::string, std::string> parse_metadata(const std::string& path, const json& v) {
  if (!v.is_object()) fail(path, "\"__metadata__\" must be an object of strings, found " + v.dump());
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.items()) {
    if (!value.is_string()) fail(path, "\"__metadata__\" entry '" + key + "' must be a string, found " + value.dump());
    out[key] = value.get<std::string>();
  }
  return out;
}

Header parse_header(const std::string& path, const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond a double
    fail(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(path, "header must be a JSON object, found " + std::string(j.type_name()));
  Header h;
  for (const auto& [key, value] : j.items()) {
    if (key == kMetadataKey)
      h.metadata = parse_metadata(path, value);
    else
      h.records.push_back(parse_entry(path, key, value));
  }
  return h;
}

// The tensors must tile the data buffer exactly: from 0, without overlaps, gaps or trailing bytes.
void check_layout(const std::string& path, const std::vector<Record>& records, std::uint64_t buffer_bytes) {
  std::vector<const Record*> order;
  for (const Record& r : records) order.push_back(&r);
  std::sort(order.begin(), order.end(),
            [](const Record* a, const Record* b) { return std::tie(a->begin, a->end) < std::tie(b->begin, b->end); });
  std::uint64_t expected = 0;
  const Record* previous = nullptr;
  for (const Record* r : order) {
    const std::string range = "[" + std::to_string(r->begin) + ", " + std::to_string(r->end) + "]";
    if (r->end > buffer_bytes)
      fail(path, "truncated: " + tensor_label(r->name) + " has data_offsets " + range + " beyond the " +
                     std::to_string(buffer_bytes) + "-byte data buffer");
    if (r->begin < expected)
      fail(path, tensor_label(r->name) + " with data_offsets " + range + " overlaps " + tensor_label(previous->name));
    if (r->begin > expected)
      fail(path, "gap of " + std::to_string(r->begin - expected) + " bytes in the data before " +
                     tensor_label(r->name));
    expected = r->end;
    previous = r;
  }
  if (expected != buffer_bytes)
    fail(path, std::to_string(buffer_bytes - expected) + " unused bytes after the last tensor's data");
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

}  // namespace

void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string header = encode_header(path, make_header(path, tensors, metadata));
  AtomicFileWriter out(path);
  out.write(header.data(), header.size());
  write_tensors(out, tensors);
  out.commit();
}

SafetensorsFile load_safetensors(const std::string& path, Device device) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail_errno(path, "cannot open");
  const std::uint64_t size = regular_file_size(path, fd.get());
  if (size < kLengthBytes)
    fail(path, "truncated: " + std::to_string(size) + " bytes, too short for the 8-byte header length");
  std::uint64_t length = 0;
  read_exact(path, fd.get(), &length, kLengthBytes, 0);
  if (length > size - kLengthBytes)
    fail(path, "truncated: header length " + std::to_string(length) + " exceeds the " +
                   std::to_string(size - kLengthBytes) + " bytes after the length field");
  std::string text(length, '\0');
  read_exact(path, fd.get(), text.data(), text.size(), kLengthBytes);

  Header header = parse_header(path, text);
  const std::uint64_t data_start = kLengthBytes + length;
  check_layout(path, header.records, size - data_start);

  SafetensorsFile out;
  out.metadata = std::move(header.metadata);
  for (const Record& r : header.records) {
    Tensor t = Tensor::empty(r.shape, {r.dtype, Device::cpu()});
    read_exact(path, fd.get(), t.raw_data(), t.nbytes(), data_start + r.begin);
    out.tensors.emplace(r.name, t.to(device));
  }
  return out;
}

void load_into(const std::string& path, const TensorMap& into, bool strict) {
  const SafetensorsFile file = load_safetensors(path);
  std::vector<std::string> problems;
  for (const auto& [name, dst] : into) {
    const auto it = file.tensors.find(name);
    if (it == file.tensors.end()) {
      problems.push_back("missing " + tensor_label(name));
      continue;
    }
    const Tensor& src = it->second;
    if (!dst.defined()) {
      problems.push_back("destination " + tensor_label(name) + " is undefined");
      continue;
    }
    if (src.shape() != dst.shape())
      problems.push_back(tensor_label(name) + ": shape mismatch: expected " + shape_str(dst.shape()) + ", found " +
                         shape_str(src.shape()));
    if (src.dtype() != dst.dtype())
      problems.push_back(tensor_label(name) + ": dtype mismatch: expected " + dtype_name(dst.dtype()) + ", found " +
                         dtype_name(src.dtype()));
  }
  if (strict)
    for (const auto& [name, src] : file.tensors)
      if (!into.contains(name)) problems.push_back("unexpected " + tensor_label(name));
  // Check everything before copying anything, so a mismatch leaves `into` untouched.
  if (!problems.empty()) fail(path, "does not match the tensors to load into: " + join(problems, "; "));
  for (const auto& [name, dst] : into) {
    const Tensor& src = file.tensors.at(name);
    dst.copy_from_host(src.raw_data(), src.nbytes());
  }
}

}  // namespace gg

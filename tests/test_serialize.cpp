// safetensors checkpoints: round trips, the on-disk layout, validation of damaged files,
// load_into's checks and the atomic write.
#include <doctest/doctest.h>

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <numbers>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/serialize.h"
#include "tests/file_size_limit.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using gg::DType;
using gg::Tensor;
using gg::TensorMap;
using gg::testing::FileSizeLimit;

namespace {

// doctest's matcher takes its own string type.
doctest::Contains contains(const std::string& text) { return doctest::Contains(text.c_str()); }

// A fresh directory for one test case, removed afterwards.
struct SerializeDir : gg::testing::TempDir {
  SerializeDir() : gg::testing::TempDir("gg_serialize_" + std::to_string(counter++)) {}
  static inline int counter = 0;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::uint64_t header_length(const std::string& bytes) {
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), sizeof n);
  return n;
}

// A file with a hand-written header and data buffer, to feed the loader damaged input.
void write_crafted(const std::string& path, const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  const std::uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, sizeof n);
  write_bytes(path, bytes + header + data);
}

std::string load_error(const std::string& path) {
  try {
    gg::load_safetensors(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

template <typename T> bool bits_equal(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector<T>(), vb = b.to_vector<T>();
  // Empty vectors may hold null pointers, which memcmp must not be given even for 0 bytes.
  return va.size() == vb.size() && (va.empty() || std::memcmp(va.data(), vb.data(), va.size() * sizeof(T)) == 0);
}

TensorMap sample_tensors() {
  const float nan_payload = std::bit_cast<float>(0x7fc01234u);
  const float denormal = std::numeric_limits<float>::denorm_min();
  const float inf = std::numeric_limits<float>::infinity();
  TensorMap m;
  m["a.scalar"] = Tensor::from_vector(std::vector<float>{3.5f}, {});
  m["b.vector"] = Tensor::from_vector(std::vector<double>{1.0, -0.0, 1e-300, std::numbers::pi, -2.5}, {5});
  m["c.matrix"] = Tensor::from_vector(
      std::vector<float>{0.1f, -0.0f, nan_payload, denormal, inf, -inf, 7, 8, 9, 10, 11, 12}, {3, 4});
  std::vector<double> four(2 * 3 * 2 * 2);
  for (std::size_t i = 0; i < four.size(); ++i) four[i] = std::sin(static_cast<double>(i)) * 1e5;
  m["d.conv.weight"] = Tensor::from_vector(four, {2, 3, 2, 2});
  m["e.empty"] = Tensor::empty({0, 3});
  return m;
}

void check_same(const TensorMap& expected, const TensorMap& actual) {
  REQUIRE(actual.size() == expected.size());
  for (const auto& [name, t] : expected) {
    CAPTURE(name);
    REQUIRE(actual.contains(name));
    const Tensor& u = actual.at(name);
    CHECK(u.shape() == t.shape());
    CHECK(u.dtype() == t.dtype());
    CHECK(u.device() == gg::Device::cpu());
    CHECK((t.dtype() == DType::f32 ? bits_equal<float>(t, u) : bits_equal<double>(t, u)));
  }
}

}  // namespace

TEST_CASE("safetensors round trip is bit-exact for f32 and f64 tensors of several ranks") {
  SerializeDir dir;
  const std::string path = dir.file("model.safetensors");
  const TensorMap tensors = sample_tensors();
  const std::map<std::string, std::string> metadata{{"step", "1200"}, {"note", "glitch \xc3\xa9t\xc3\xa9 {\"q\"}"}};
  gg::save_safetensors(path, tensors, metadata);

  const gg::SafetensorsFile file = gg::load_safetensors(path);
  check_same(tensors, file.tensors);
  CHECK(file.metadata == metadata);
}

TEST_CASE("safetensors round trip with empty metadata and with no tensors") {
  SerializeDir dir;
  const std::string path = dir.file("plain.safetensors");
  const TensorMap tensors = sample_tensors();
  gg::save_safetensors(path, tensors);
  const auto header = nlohmann::json::parse(read_bytes(path).substr(8, header_length(read_bytes(path))));
  CHECK_FALSE(header.contains("__metadata__"));
  const gg::SafetensorsFile file = gg::load_safetensors(path);
  check_same(tensors, file.tensors);
  CHECK(file.metadata.empty());

  const std::string none = dir.file("none.safetensors");
  gg::save_safetensors(none, {}, {{"only", "metadata"}});
  const gg::SafetensorsFile empty = gg::load_safetensors(none);
  CHECK(empty.tensors.empty());
  CHECK(empty.metadata.at("only") == "metadata");
}

TEST_CASE("safetensors file layout: header length, JSON header, packed name-ordered data") {
  SerializeDir dir;
  const std::string path = dir.file("layout.safetensors");
  const TensorMap tensors = sample_tensors();
  gg::save_safetensors(path, tensors, {{"k", "v"}});
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() >= 8);
  const std::uint64_t n = header_length(bytes);
  REQUIRE(8 + n <= bytes.size());
  CHECK((8 + n) % 8 == 0);

  const auto header = nlohmann::json::parse(bytes.substr(8, n));  // throws if not JSON
  REQUIRE(header.is_object());
  CHECK(header.at("__metadata__") == nlohmann::json{{"k", "v"}});
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {  // name order
    CAPTURE(name);
    const auto& entry = header.at(name);
    CHECK(entry["dtype"] == (t.dtype() == DType::f32 ? "F32" : "F64"));
    CHECK(entry["shape"].get<gg::Shape>() == t.shape());
    const auto offsets = entry["data_offsets"].get<std::vector<std::uint64_t>>();
    REQUIRE(offsets.size() == 2);
    CHECK(offsets[0] == offset);
    CHECK(offsets[1] == offset + t.nbytes());
    offset = offsets[1];
  }
  CHECK(8 + n + offset == bytes.size());

  // The data of a tensor is its raw little-endian values.
  const auto& c = header.at("c.matrix")["data_offsets"];
  const auto values = tensors.at("c.matrix").to_vector<float>();
  CHECK(std::memcmp(bytes.data() + 8 + n + c[0].get<std::uint64_t>(), values.data(), values.size() * 4) == 0);
}

TEST_CASE("safetensors truncated files are errors naming the path") {
  SerializeDir dir;
  const std::string good = dir.file("good.safetensors");
  gg::save_safetensors(good, sample_tensors());
  const std::string bytes = read_bytes(good);
  const std::uint64_t n = header_length(bytes);
  const std::string path = dir.file("cut.safetensors");
  for (const std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{8}, std::size_t(8 + n / 2),
                                std::size_t(8 + n), std::size_t(8 + n + 3), bytes.size() - 1}) {
    CAPTURE(cut);
    write_bytes(path, bytes.substr(0, cut));
    CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains("truncated"), std::runtime_error);
    CHECK(load_error(path).starts_with(path + ": "));
  }
}

TEST_CASE("safetensors missing file or directory is an error naming the path") {
  SerializeDir dir;
  const std::string path = dir.file("absent.safetensors");
  CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains(path + ": cannot open"), std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::load_safetensors(dir.path().string()), contains("not a regular file"), std::runtime_error);
}

TEST_CASE("safetensors corrupt or malformed header") {
  SerializeDir dir;
  const std::string path = dir.file("bad.safetensors");
  const std::string data(16, '\0');
  auto check_error = [&](const std::string& header, const std::string& expected) {
    CAPTURE(header);
    write_crafted(path, header, data);
    CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains(expected), std::runtime_error);
    CHECK(load_error(path).starts_with(path + ": "));
  };
  check_error(R"({"w": {"dtype": "F32", "shape": [4)", "not valid JSON");
  check_error("\xff\xfe", "not valid JSON");
  check_error("[1, 2]", "must be a JSON object");
  check_error(R"({"w": [1]})", "entry must be a JSON object");
  check_error(R"({"w": {"shape": [4], "data_offsets": [0, 16]}})", "'w' is missing \"dtype\"");
  check_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 16]}})", "'w' is missing \"shape\"");
  check_error(R"({"w": {"dtype": "F32", "shape": [4]}})", "'w' is missing \"data_offsets\"");
  check_error(R"({"w": {"dtype": 1, "shape": [4], "data_offsets": [0, 16]}})", "\"dtype\" must be a string");
  check_error(R"({"w": {"dtype": "F32", "shape": "4", "data_offsets": [0, 16]}})", "\"shape\" must be an array");
  check_error(R"({"w": {"dtype": "F32", "shape": [4.0], "data_offsets": [0, 16]}})", "must hold integers");
  check_error(R"({"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}})", "negative dimension");
  check_error(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]}})",
              "overflows");
  check_error(R"({"w": {"dtype": "F32", "shape": [0, 18446744073709551615], "data_offsets": [0, 0]}})",
              "overflows");
  check_error(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16, 32]}})",
              "\"data_offsets\" must be two non-negative integers");
  check_error(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [16, 0]}})", "end before they begin");
  check_error(R"({"__metadata__": {"k": 1}})", "\"__metadata__\" entry 'k' must be a string");
}

TEST_CASE("safetensors unsupported dtype names the dtype and the tensor") {
  SerializeDir dir;
  const std::string path = dir.file("ids.safetensors");
  write_crafted(path, R"({"token_ids": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}})",
                std::string(16, '\0'));
  CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains("unsupported dtype I64"), std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains("'token_ids'"), std::runtime_error);
}

TEST_CASE("safetensors data_offsets must agree with shape and tile the buffer") {
  SerializeDir dir;
  const std::string path = dir.file("offsets.safetensors");
  const std::string data(12, '\0');
  auto check_error = [&](const std::string& header, const std::string& expected) {
    CAPTURE(header);
    write_crafted(path, header, data);
    CHECK_THROWS_WITH_AS(gg::load_safetensors(path), contains(expected), std::runtime_error);
    CHECK(load_error(path).starts_with(path + ": "));
  };
  check_error(R"({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 8]}})", "size mismatch");
  check_error(R"({"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 4]}})", "size mismatch");
  check_error(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
              "'b' with data_offsets [4, 12] overlaps tensor 'a'");
  check_error(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                  "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})",
              "gap of 4 bytes");
  check_error(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
                  "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})",
              "gap of 4 bytes");
  check_error(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", "4 unused bytes");
  check_error(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", "truncated");

  // Offsets out of name order are valid as long as they tile the buffer.
  write_crafted(path, R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]},
                          "b": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}})",
                data);
  const auto file = gg::load_safetensors(path);
  CHECK(file.tensors.at("a").item() == 0.0);
  CHECK(file.tensors.at("b").dtype() == DType::f64);
}

TEST_CASE("safetensors load_into copies matching tensors and reports every mismatch") {
  SerializeDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  const Tensor w = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector(std::vector<double>{7, 8, 9}, {3});
  gg::save_safetensors(path, {{"w", w}, {"b", b}});

  const TensorMap good{{"w", Tensor::zeros({2, 3})}, {"b", Tensor::zeros({3}, {DType::f64})}};
  gg::load_into(path, good);
  CHECK(good.at("w").to_vector<float>() == w.to_vector<float>());
  CHECK(good.at("b").to_vector<double>() == b.to_vector<double>());

  const TensorMap bad{{"w", Tensor::zeros({3, 2})}, {"b", Tensor::zeros({3})}};
  std::string message;
  try {
    gg::load_into(path, bad);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message.starts_with(path + ": "));
  CHECK(message.find("'w': shape mismatch: expected " + gg::shape_str({3, 2}) + ", found " +
                     gg::shape_str({2, 3})) != std::string::npos);
  CHECK(message.find("'b': dtype mismatch: expected f32, found f64") != std::string::npos);
  // Nothing is copied when anything mismatches.
  CHECK(bad.at("b").to_vector<float>() == std::vector<float>{0, 0, 0});
}

TEST_CASE("safetensors load_into strict mode requires the same set of names") {
  SerializeDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  gg::save_safetensors(path, {{"a", Tensor::full({2}, 1.5)}, {"b", Tensor::full({1}, 2.5)}});

  const TensorMap only_a{{"a", Tensor::zeros({2})}};
  CHECK_THROWS_WITH_AS(gg::load_into(path, only_a), contains("unexpected tensor 'b'"), std::runtime_error);
  CHECK(only_a.at("a").to_vector<float>() == std::vector<float>{0, 0});
  gg::load_into(path, only_a, /*strict=*/false);
  CHECK(only_a.at("a").to_vector<float>() == std::vector<float>{1.5f, 1.5f});

  const TensorMap extra{{"a", Tensor::zeros({2})}, {"b", Tensor::zeros({1})}, {"c", Tensor::zeros({1})}};
  CHECK_THROWS_WITH_AS(gg::load_into(path, extra), contains("missing tensor 'c'"), std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::load_into(path, extra, false), contains("missing tensor 'c'"), std::runtime_error);
}

TEST_CASE("safetensors save rejects reserved names and undefined tensors") {
  SerializeDir dir;
  const std::string path = dir.file("x.safetensors");
  CHECK_THROWS_WITH_AS(gg::save_safetensors(path, {{"__metadata__", Tensor::zeros({1})}}), contains("reserved"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::save_safetensors(path, {{"w", Tensor()}}), contains("'w' is undefined"),
                       std::runtime_error);
  CHECK(fs::is_empty(dir.path()));
}

namespace {

bool has_temp_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("safetensors atomic save: old or new content, never a partial file or a leftover temp") {
  SerializeDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  const TensorMap old_tensors{{"w", Tensor::full({4}, 1.0)}};
  gg::save_safetensors(path, old_tensors, {{"version", "old"}});

  const TensorMap new_tensors{{"w", Tensor::full({4}, 2.0)}, {"v", Tensor::full({2}, 3.0, {DType::f64})}};
  gg::save_safetensors(path, new_tensors, {{"version", "new"}});
  auto file = gg::load_safetensors(path);
  check_same(new_tensors, file.tensors);
  CHECK(file.metadata.at("version") == "new");
  CHECK_FALSE(has_temp_files(dir.path()));

  // A write that fails half-way (the file-size limit makes it fail with EFBIG) leaves the
  // previous checkpoint intact and removes its temporary file.
  const TensorMap big{{"w", Tensor::full({1 << 16}, 4.0)}};
  {
    FileSizeLimit limit(4096);
    CHECK_THROWS_WITH_AS(gg::save_safetensors(path, big), contains(path + ": write failed"), std::runtime_error);
  }
  file = gg::load_safetensors(path);
  check_same(new_tensors, file.tensors);
  CHECK(file.metadata.at("version") == "new");
  CHECK_FALSE(has_temp_files(dir.path()));
}

TEST_CASE("safetensors save into a nonexistent directory names the path") {
  SerializeDir dir;
  const std::string path = (dir.path() / "no" / "such" / "dir" / "ckpt.safetensors").string();
  CHECK_THROWS_WITH_AS(gg::save_safetensors(path, {{"w", Tensor::zeros({1})}}), contains(path + ": cannot create"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(gg::save_safetensors(path, {{"w", Tensor::zeros({1})}}),
                       contains(std::strerror(ENOENT)), std::runtime_error);
  CHECK_FALSE(fs::exists(dir.path() / "no"));
}

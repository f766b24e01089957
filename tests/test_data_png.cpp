// PNG reading and writing: round trips, every colour type the reader accepts, and bad input —
// missing, non-PNG, truncated, corrupted and randomly mutated files must throw, never crash.
#include <doctest/doctest.h>
#include <png.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/file_io.h"
#include "data/png_io.h"
#include "engine/random.h"
#include "tests/file_size_limit.h"
#include "tests/shared_data.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using gg::data::Image;

namespace {

const fs::path kSample = fs::path(GG_SHARED_DIR) / "data/gravityspy-sample/Blip";

fs::path first_sample() {
  for (const auto& e : fs::directory_iterator(kSample)) {
    if (e.path().extension() == ".png") return e.path();
  }
  throw std::runtime_error("no sample PNG in " + kSample.string());
}

Image gradient(int width, int height, int channels) {
  Image image(width, height, channels);
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<std::uint8_t>((i * 7 + i / 5) % 256);
  return image;
}

// PNGs of formats our writer does not produce, made with libpng's simplified API.
std::vector<std::uint8_t> simplified_png(png_uint_32 format, int width, int height, const void* pixels,
                                         const void* colormap = nullptr, int colormap_entries = 0) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  image.colormap_entries = colormap_entries;
  png_alloc_size_t size = 0;
  REQUIRE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels, 0, colormap));
  std::vector<std::uint8_t> bytes(size);
  REQUIRE(png_image_write_to_memory(&image, bytes.data(), &size, 0, pixels, 0, colormap));
  bytes.resize(size);
  return bytes;
}

// Decoding either succeeds or throws std::runtime_error naming the input; anything else fails the test.
void decode_or_clean_error(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  try {
    gg::data::decode_png(bytes, name);
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(name) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("data: PNG round trip, gray and RGB") {
  const fs::path dir = fs::temp_directory_path() / "gg_test_png";
  fs::create_directories(dir);
  for (int channels : {1, 3}) {
    const Image image = gradient(37, 23, channels);
    const fs::path path = dir / ("round_trip_" + std::to_string(channels) + ".png");
    gg::data::write_png(path, image);
    const Image back = gg::data::read_png(path);
    CHECK(back.width == 37);
    CHECK(back.height == 23);
    CHECK(back.channels == channels);
    CHECK(back.pixels == image.pixels);
  }
  CHECK_THROWS_AS(gg::data::encode_png(gradient(4, 4, 2)), std::invalid_argument);
  fs::remove_all(dir);
}

TEST_CASE("data: a PNG write on a full disk names the file and leaves the previous image whole") {
  const gg::testing::TempDir dir("gg_test_png_full_disk");
  const fs::path path = dir.path() / "Blip" / "GAN_s1n0_1.0.png";
  fs::create_directories(path.parent_path());
  const Image before = gradient(8, 8, 1);
  gg::data::write_png(path, before);
  {
    const gg::testing::FileSizeLimit full(256);  // the 300x200 RGB image below needs far more
    CHECK_THROWS_WITH_AS(gg::data::write_png(path, gradient(300, 200, 3), 0), doctest::Contains(path.string().c_str()),
                         std::runtime_error);
  }
  CHECK(gg::data::read_png(path).pixels == before.pixels);
  for (const auto& e : fs::directory_iterator(path.parent_path())) CHECK(e.path() == path);  // no temporary file left
}

TEST_CASE("data: PNG reads gray+alpha, RGBA, palette and 16-bit images as 8 bits") {
  GG_REQUIRE_SHARED_DATA();
  const std::uint8_t ga[] = {10, 255, 200, 128};
  Image image = gg::data::decode_png(simplified_png(PNG_FORMAT_GA, 2, 1, ga), "ga");
  CHECK(image.channels == 2);
  CHECK(image.pixels == std::vector<std::uint8_t>(ga, ga + 4));

  const std::uint8_t rgba[] = {1, 2, 3, 4, 250, 251, 252, 253};
  image = gg::data::decode_png(simplified_png(PNG_FORMAT_RGBA, 2, 1, rgba), "rgba");
  CHECK(image.channels == 4);
  CHECK(image.pixels == std::vector<std::uint8_t>(rgba, rgba + 8));

  const std::uint8_t palette[] = {255, 0, 0, 0, 0, 255};  // red, blue
  const std::uint8_t indices[] = {1, 0, 0, 1};
  image = gg::data::decode_png(simplified_png(PNG_FORMAT_RGB_COLORMAP, 2, 2, indices, palette, 2), "palette");
  CHECK(image.channels == 3);
  CHECK(image.pixels == std::vector<std::uint8_t>{0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 255});

  // 16-bit gray v * 257 is 8-bit v exactly.
  const std::uint16_t gray16[] = {0, 100 * 257, 200 * 257, 65535};
  image = gg::data::decode_png(simplified_png(PNG_FORMAT_LINEAR_Y, 4, 1, gray16), "gray16");
  CHECK(image.channels == 1);
  CHECK(image.pixels == std::vector<std::uint8_t>{0, 100, 200, 255});

  image = gg::data::read_png(first_sample());
  CHECK(image.width == 800);
  CHECK(image.height == 600);
  CHECK(image.channels == 4);
}

TEST_CASE("data: PNG bad input throws errors that name the file") {
  GG_REQUIRE_SHARED_DATA();
  auto message_of = [](auto&& f) {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message_of([] { gg::data::read_png("/nonexistent/glitch.png"); }).find("/nonexistent/glitch.png") != std::string::npos);
  const std::string text = "definitely not a PNG file, just text";
  CHECK(message_of([&] { gg::data::decode_png({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, "text.png"); })
            .find("text.png: not a PNG") != std::string::npos);

  const std::vector<std::uint8_t> good = gg::data::read_file_bytes(first_sample());
  SUBCASE("truncated anywhere") {
    for (std::size_t keep : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{20}, std::size_t{33},
                             std::size_t{100}, good.size() / 3, good.size() / 2, good.size() - 13, good.size() - 1}) {
      const std::vector<std::uint8_t> cut(good.begin(), good.begin() + keep);
      CHECK_THROWS_AS(gg::data::decode_png(cut, "cut.png"), std::runtime_error);
    }
  }
  SUBCASE("bad CRC on the header") {
    std::vector<std::uint8_t> bad = good;
    bad[16] ^= 0x01;  // inside IHDR's width field: its CRC no longer matches
    CHECK(message_of([&] { gg::data::decode_png(bad, "crc.png"); }).find("crc.png") != std::string::npos);
  }
  SUBCASE("corrupt image data") {
    std::vector<std::uint8_t> bad = good;
    for (std::size_t i = bad.size() / 2; i < bad.size() / 2 + 64; ++i) bad[i] = static_cast<std::uint8_t>(~bad[i]);
    CHECK_THROWS_AS(gg::data::decode_png(bad, "idat.png"), std::runtime_error);
  }
}

TEST_CASE("data: PNG reader survives randomly mutated files") {
  GG_REQUIRE_SHARED_DATA();
  // A small image (fast to decode) and the start of a real one, each mutated many ways.
  const std::vector<std::uint8_t> small = gg::data::encode_png(gradient(24, 16, 3));
  const std::vector<std::uint8_t> real = gg::data::read_file_bytes(first_sample());
  gg::Generator gen(2024);
  for (int round = 0; round < 400; ++round) {
    std::vector<std::uint8_t> bytes = round % 4 == 3 ? real : small;
    const int flips = 1 + static_cast<int>(gen.uniform() * 8);
    for (int k = 0; k < flips; ++k) {
      // Mostly in the first few hundred bytes, where the chunk headers are.
      const std::size_t limit = gen.uniform() < 0.7 ? std::min<std::size_t>(bytes.size(), 300) : bytes.size();
      bytes[static_cast<std::size_t>(gen.uniform() * limit)] = static_cast<std::uint8_t>(gen.next_u64());
    }
    if (gen.uniform() < 0.3) bytes.resize(static_cast<std::size_t>(gen.uniform() * bytes.size()));
    decode_or_clean_error(bytes, "mutant_" + std::to_string(round) + ".png");
  }
}

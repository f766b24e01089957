#include "data/png_io.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "data/file_io.h"
#include "engine/posix_file.h"

namespace gg::data {

// libpng reports errors by calling our error function, which must not return: it longjmps back
// to the setjmp of the libpng call in progress. A longjmp skips destructors, so every function
// below that calls setjmp keeps only plain C values in its own frame; the C++ objects (vectors,
// strings) live in the callers, which a longjmp never crosses.
namespace {

// Anything bigger is treated as corrupt: a forged header must not make us allocate gigabytes.
constexpr std::uint32_t kMaxSide = 16384;
constexpr std::size_t kMaxPixelBytes = std::size_t{256} << 20;

struct ErrorText {
  char message[256] = "";
};

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
  auto* error = static_cast<ErrorText*>(png_get_error_ptr(png));
  std::snprintf(error->message, sizeof error->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

// The bytes being decoded; reading past the end is an error (a truncated file).
struct MemoryReader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t position;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* reader = static_cast<MemoryReader*>(png_get_io_ptr(png));
  if (length > reader->size - reader->position) png_error(png, "unexpected end of file (truncated)");
  std::memcpy(out, reader->data + reader->position, length);
  reader->position += length;
}

struct Header {
  std::uint32_t width, height;
  int channels;
};

// Reads the header and sets up the conversions to 8 bits per channel.
bool read_header(png_structp png, png_infop info, Header* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (bit_depth == 16) png_set_scale_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->channels = png_get_channels(png, info);
  if (png_get_bit_depth(png, info) != 8) png_error(png, "unsupported bit depth");
  return true;
}

bool read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() { png_destroy_read_struct(&png, &info, nullptr); }
};

}  // namespace

Image decode_png(std::span<const std::uint8_t> bytes, const std::string& name) {
  auto fail = [&](const std::string& why) { return std::runtime_error("PNG " + name + ": " + why); };
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) throw fail("not a PNG file (bad signature)");

  ErrorText error;
  ReadStructs s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, on_error, on_warning);
  if (s.png) s.info = png_create_info_struct(s.png);
  if (!s.png || !s.info) throw fail("out of memory creating the libpng decoder");
  MemoryReader reader{bytes.data(), bytes.size(), 0};
  png_set_read_fn(s.png, &reader, read_from_memory);
  png_set_user_limits(s.png, kMaxSide, kMaxSide);
  // Benign errors (e.g. missing image data) become errors: a damaged file must not pass as valid.
  png_set_benign_errors(s.png, 0);

  Header header{};
  if (!read_header(s.png, s.info, &header)) throw fail(error.message);
  const std::size_t row_bytes = static_cast<std::size_t>(header.width) * header.channels;
  if (row_bytes * header.height > kMaxPixelBytes) throw fail("image too large");

  Image image(static_cast<int>(header.width), static_cast<int>(header.height), header.channels);
  std::vector<png_bytep> rows(header.height);
  for (std::uint32_t y = 0; y < header.height; ++y) rows[y] = image.pixels.data() + y * row_bytes;
  if (!read_rows(s.png, s.info, rows.data())) throw fail(error.message);
  return image;
}

Image read_png(const std::filesystem::path& path) {
  return decode_png(read_file_bytes(path), path.string());
}

namespace {

// An exception must not unwind through libpng's C frames, so a failed allocation is turned into
// a libpng error once the catch block is left.
void append_to_vector(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
  bool grown = true;
  try {
    out->insert(out->end(), data, data + length);
  } catch (const std::bad_alloc&) {
    grown = false;
  }
  if (!grown) png_error(png, "out of memory");
}

void flush_nothing(png_structp) {}

bool write_image(png_structp png, png_infop info, const Header* header, int level, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  const int color_type = header->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB;
  png_set_IHDR(png, info, header->width, header->height, 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, level);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStructs() { png_destroy_write_struct(&png, &info); }
};

}  // namespace

std::vector<std::uint8_t> encode_png(const Image& image, int compression_level) {
  if (image.channels != 1 && image.channels != 3) {
    throw std::invalid_argument("encode_png: only gray (1) and RGB (3) images are written, got " +
                                std::to_string(image.channels) + " channels");
  }
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels) {
    throw std::invalid_argument("encode_png: image size does not match its pixel buffer");
  }
  ErrorText error;
  WriteStructs s;
  s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, on_error, on_warning);
  if (s.png) s.info = png_create_info_struct(s.png);
  if (!s.png || !s.info) throw std::runtime_error("encode_png: out of memory creating the libpng encoder");

  std::vector<std::uint8_t> out;
  png_set_write_fn(s.png, &out, append_to_vector, flush_nothing);
  std::vector<png_bytep> rows(image.height);
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * image.channels;
  for (int y = 0; y < image.height; ++y) rows[y] = const_cast<png_bytep>(image.pixels.data() + y * row_bytes);
  const Header header{static_cast<std::uint32_t>(image.width), static_cast<std::uint32_t>(image.height),
                      image.channels};
  if (!write_image(s.png, s.info, &header, compression_level, rows.data())) {
    throw std::runtime_error(std::string("encode_png: ") + error.message);
  }
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image, int compression_level) {
  gg::write_file_atomic(path, encode_png(image, compression_level));
}

}  // namespace gg::data

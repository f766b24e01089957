#pragma once
// Thin POSIX file helpers shared by checkpoint and data writers.
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>
#include <string>
#include <utility>

namespace gg {

// Owns a POSIX file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closing explicitly reports errors that a write may defer to close (e.g. on network filesystems).
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

// A file written so that readers only ever see the old content or the complete new one, and a
// crash never leaves a partial file at `path`: bytes go to `path.tmp.<pid>.<n>` beside it, and
// commit() fsyncs it, renames it over `path` and fsyncs the directory. Destroying an uncommitted
// writer removes the temporary file. Errors throw std::runtime_error("<path>: <what>: <errno text>").
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, std::size_t bytes);
  void commit();

 private:
  std::filesystem::path path_, tmp_;
  FileDescriptor fd_;
  bool committed_ = false;
};

// The whole file in one call.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_text_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace gg

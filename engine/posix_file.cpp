#include "engine/posix_file.h"

#include <fcntl.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace gg {

namespace {

[[noreturn]] void fail_errno(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

// Unique per process and per writer, so concurrent writers never share a temporary file.
std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  return tmp;
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path)
    : path_(std::move(path)),
      tmp_(temporary_beside(path_)),
      fd_(::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {
  if (fd_.get() < 0) fail_errno(path_, "cannot create " + tmp_.string());
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) ::unlink(tmp_.c_str());
}

void AtomicFileWriter::write(const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd_.get(), p, bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno(path_, "write failed");
    }
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_.get()) != 0) fail_errno(path_, "cannot sync " + tmp_.string());
  if (fd_.close() != 0) fail_errno(path_, "cannot close " + tmp_.string());
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail_errno(path_, "cannot rename " + tmp_.string() + " over it");
  committed_ = true;
  // Makes the rename itself durable.
  std::filesystem::path dir = path_.parent_path();
  if (dir.empty()) dir = ".";
  FileDescriptor d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0 || ::fsync(d.get()) != 0) fail_errno(path_, "cannot sync directory " + dir.string());
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  AtomicFileWriter out(path);
  out.write(bytes.data(), bytes.size());
  out.commit();
}

void write_text_file_atomic(const std::filesystem::path& path, std::string_view text) {
  write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

}  // namespace gg

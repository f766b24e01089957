#pragma once
// A self-contained HTML page (inline CSS, no scripts, no external resources) in a run folder;
// images are referenced by paths relative to the page, and write() fails naming any referenced image
// that does not exist. Text is HTML-escaped.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gg::report {

// `text` with &, <, >, " and ' replaced by character references.
std::string html_escape(const std::string& text);

class HtmlReport {
 public:
  explicit HtmlReport(std::string title);
  void heading(const std::string& text, int level = 2);  // level 1..6 (clamped)
  void paragraph(const std::string& text);
  void preformatted(const std::string& text);
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  // display_width 0: the image's own width (shrunk to the page when wider).
  void image(const std::string& relative_path, const std::string& caption, int display_width = 0);
  void images_row(const std::vector<std::pair<std::string, std::string>>& path_and_caption);
  // Writes atomically (engine/posix_file.h write_file_atomic) to `path`.
  void write(const std::filesystem::path& path) const;
  // The image paths referenced so far (relative to the page).
  const std::vector<std::string>& referenced_images() const;
  // The whole page as write() would write it.
  std::string html() const;

 private:
  void reference(const std::string& relative_path);

  std::string title_;
  std::string body_;
  std::vector<std::string> images_;
};

}  // namespace gg::report

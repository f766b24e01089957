#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

#include "engine/posix_file.h"

namespace gg::report {
namespace {

// Quiet, print-friendly styling; everything inline so the page is one file besides its images.
constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; background: #fff;
       max-width: 1200px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1, h2, h3, h4, h5, h6 { font-weight: 600; margin: 1.4em 0 0.5em; }
h1 { border-bottom: 2px solid #0072b2; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
th { background: #eef3f8; }
tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.7em; overflow-x: auto; font-size: 0.88em; }
figure { margin: 1em 0; display: inline-block; vertical-align: top; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #555; margin-top: 0.3em; }
.row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.row figure { margin: 0; flex: 1 1 0; min-width: 200px; }
)";

// A relative path as a URL: unreserved characters and '/' as they are, the rest percent-encoded
// (a '#', '?', '%' or space in a file name would otherwise break the link).
std::string url_path(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Cells that read as numbers are right-aligned, so columns of figures line up.
bool numeric(const std::string& cell) {
  if (cell.empty()) return false;
  std::size_t digits = 0;
  for (char c : cell) {
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (std::string_view("+-.,%eE x").find(c) == std::string_view::npos) return false;
  }
  return digits > 0;
}

std::string figure(const std::string& path, const std::string& caption, int display_width) {
  const std::string width = display_width > 0 ? fmt::format(" width=\"{}\"", display_width) : "";
  return fmt::format("<figure><img src=\"{}\" alt=\"{}\"{}>{}</figure>\n", html_escape(url_path(path)),
                     html_escape(caption), width,
                     caption.empty() ? "" : "<figcaption>" + html_escape(caption) + "</figcaption>");
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {}

void HtmlReport::heading(const std::string& text, int level) {
  level = std::clamp(level, 1, 6);
  body_ += fmt::format("<h{0}>{1}</h{0}>\n", level, html_escape(text));
}

void HtmlReport::paragraph(const std::string& text) { body_ += "<p>" + html_escape(text) + "</p>\n"; }

void HtmlReport::preformatted(const std::string& text) { body_ += "<pre>" + html_escape(text) + "</pre>\n"; }

void HtmlReport::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  body_ += "<table>\n";
  if (!header.empty()) {
    body_ += "<thead><tr>";
    for (const std::string& h : header) body_ += "<th>" + html_escape(h) + "</th>";
    body_ += "</tr></thead>\n";
  }
  body_ += "<tbody>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const std::string& cell : row)
      body_ += (numeric(cell) ? "<td class=\"num\">" : "<td>") + html_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table>\n";
}

void HtmlReport::reference(const std::string& relative_path) {
  const std::filesystem::path p(relative_path);
  if (relative_path.empty() || p.is_absolute())
    throw std::invalid_argument("HtmlReport \"" + title_ + "\": image path \"" + relative_path +
                                "\" must be relative to the page");
  images_.push_back(relative_path);
}

void HtmlReport::image(const std::string& relative_path, const std::string& caption, int display_width) {
  reference(relative_path);
  body_ += figure(relative_path, caption, display_width);
}

void HtmlReport::images_row(const std::vector<std::pair<std::string, std::string>>& path_and_caption) {
  for (const auto& [path, caption] : path_and_caption) reference(path);
  body_ += "<div class=\"row\">\n";
  for (const auto& [path, caption] : path_and_caption) body_ += figure(path, caption, 0);
  body_ += "</div>\n";
}

const std::vector<std::string>& HtmlReport::referenced_images() const { return images_; }

std::string HtmlReport::html() const {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{2}</body>\n</html>\n",
      html_escape(title_), kStyle, body_);
}

void HtmlReport::write(const std::filesystem::path& path) const {
  const std::filesystem::path folder = path.parent_path();
  std::string missing;
  for (const std::string& image : images_) {
    const std::filesystem::path file = folder / image;
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) missing += (missing.empty() ? "" : ", ") + file.string();
  }
  if (!missing.empty())
    throw std::runtime_error(path.string() + ": the report refers to images that do not exist: " + missing);
  const std::string page = html();
  write_file_atomic(path, std::span(reinterpret_cast<const std::uint8_t*>(page.data()), page.size()));
}

}  // namespace gg::report

// HTML reports: escaping, the images they reference, and atomic writes that refuse pages whose
// images are missing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "report/html_report.h"
#include "tests/temp_dir.h"

namespace fs = std::filesystem;
using gg::report::HtmlReport;
using gg::report::html_escape;
using gg::testing::TempDir;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "png";
}

}  // namespace

TEST_CASE("report: HTML text is escaped everywhere") {
  CHECK(html_escape("<b>Tom & Jerry's \"show\"</b>") == "&lt;b&gt;Tom &amp; Jerry&#39;s &quot;show&quot;&lt;/b&gt;");
  HtmlReport page("Run <1> & co");
  page.heading("<script>alert(1)</script>", 2);
  page.paragraph("a < b");
  page.preformatted("x & y\n  <z>");
  page.table({"class", "F1 <macro>"}, {{"Blip", "0.91"}, {"<Whistle>", "0.8"}});
  page.image("plots/loss & gain.png", "loss \"curve\"");
  const std::string html = page.html();
  CHECK(html.find("<title>Run &lt;1&gt; &amp; co</title>") != std::string::npos);
  CHECK(html.find("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>") != std::string::npos);
  CHECK(html.find("<p>a &lt; b</p>") != std::string::npos);
  CHECK(html.find("<pre>x &amp; y\n  &lt;z&gt;</pre>") != std::string::npos);
  CHECK(html.find("<td>&lt;Whistle&gt;</td>") != std::string::npos);
  CHECK(html.find("<td class=\"num\">0.91</td>") != std::string::npos);
  // The file name is percent-encoded as a URL, the caption escaped.
  CHECK(html.find("src=\"plots/loss%20%26%20gain.png\"") != std::string::npos);
  CHECK(html.find("<figcaption>loss &quot;curve&quot;</figcaption>") != std::string::npos);
  // Self-contained: no scripts, no external resources.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
}

TEST_CASE("report: every referenced image is listed, in order") {
  HtmlReport page("images");
  page.image("a.png", "A", 400);
  page.images_row({{"b.png", "B"}, {"sub/c.png", "C"}});
  page.image("a.png", "A again");
  CHECK(page.referenced_images() == std::vector<std::string>{"a.png", "b.png", "sub/c.png", "a.png"});
  CHECK(page.html().find("width=\"400\"") != std::string::npos);
  CHECK_THROWS_AS(page.image("/abs/d.png", "D"), std::invalid_argument);
  CHECK_THROWS_AS(page.image("", "empty"), std::invalid_argument);
}

TEST_CASE("report: write fails naming each missing image and leaves the old page alone") {
  TempDir tmp("gg_test_report_html");
  const fs::path page_file = tmp.path() / "report.html";
  touch(tmp.path() / "plots/loss.png");
  std::ofstream(page_file) << "old page";

  HtmlReport page("run");
  page.image("plots/loss.png", "loss");
  page.images_row({{"plots/confusion.png", "confusion"}, {"sheet.png", "sheet"}});
  try {
    page.write(page_file);
    FAIL("write() accepted a page with missing images");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("report.html") != std::string::npos);
    CHECK(what.find("plots/confusion.png") != std::string::npos);
    CHECK(what.find("sheet.png") != std::string::npos);
    CHECK(what.find("loss.png") == std::string::npos);
  }
  CHECK(read(page_file) == "old page");

  touch(tmp.path() / "plots/confusion.png");
  touch(tmp.path() / "sheet.png");
  page.write(page_file);
  CHECK(read(page_file) == page.html());
  // Atomic: the page replaced in one rename, no temporary file left beside it.
  for (const auto& entry : fs::directory_iterator(tmp.path()))
    CHECK((entry.path().filename() == "report.html" || entry.path().filename() == "plots" ||
           entry.path().filename() == "sheet.png"));
  // A folder that does not exist is an error naming the page.
  try {
    HtmlReport("x").write(tmp.path() / "no-such-folder/report.html");
    FAIL("write() into a missing folder succeeded");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("no-such-folder") != std::string::npos);
  }
}

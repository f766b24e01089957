#include "data/gravityspy_layout.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace gg::data {

namespace fs = std::filesystem;

int window_index(double seconds) {
  for (std::size_t w = 0; w < kWindows.size(); ++w) {
    if (kWindows[w] == seconds) return static_cast<int>(w);
  }
  throw std::invalid_argument("no Gravity Spy time window of " + std::to_string(seconds) +
                              " s (there are 0.5, 1.0, 2.0 and 4.0)");
}

std::optional<SpectrogramName> parse_spectrogram_name(const std::string& file_name) {
  static const std::string kMarker = "_spectrogram_", kExtension = ".png";
  if (file_name.size() <= kExtension.size() ||
      file_name.compare(file_name.size() - kExtension.size(), kExtension.size(), kExtension) != 0) {
    return std::nullopt;
  }
  const std::string stem = file_name.substr(0, file_name.size() - kExtension.size());
  const std::size_t marker = stem.rfind(kMarker);
  if (marker == std::string::npos) return std::nullopt;
  const std::string ifo_id = stem.substr(0, marker), duration = stem.substr(marker + kMarker.size());
  const std::size_t underscore = ifo_id.find('_');
  if (underscore == std::string::npos || underscore == 0 || underscore + 1 == ifo_id.size()) return std::nullopt;
  for (std::size_t w = 0; w < kWindowNames.size(); ++w) {
    if (duration == kWindowNames[w]) {
      return SpectrogramName{ifo_id.substr(0, underscore), ifo_id.substr(underscore + 1), static_cast<int>(w)};
    }
  }
  return std::nullopt;
}

std::string spectrogram_name(const std::string& ifo, const std::string& id, int window) {
  return ifo + "_" + id + "_spectrogram_" + kWindowNames.at(window) + ".png";
}

namespace {

std::vector<fs::path> sorted_subfolders(const fs::path& folder) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& e : fs::directory_iterator(folder)) {
    if (e.is_directory() && e.path().filename().string().front() != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void scan_class_folder(const fs::path& folder, const std::string& split, bool skip_bad, LayoutScan& scan) {
  const std::string label = folder.filename().string();
  // Keyed by (ifo, id) so the windows of one glitch meet in one record, in sorted order.
  std::map<std::pair<std::string, std::string>, GlitchFiles> glitches;
  for (const fs::directory_entry& e : fs::directory_iterator(folder)) {
    if (!e.is_regular_file() || e.path().extension() != ".png") continue;
    const std::optional<SpectrogramName> name = parse_spectrogram_name(e.path().filename().string());
    if (!name) {
      const std::string problem = "file name is not <ifo>_<id>_spectrogram_<0.5|1.0|2.0|4.0>.png: " + e.path().string();
      if (!skip_bad) throw std::runtime_error("Gravity Spy layout: " + problem);
      scan.problems.push_back(problem);
      continue;
    }
    GlitchFiles& g = glitches[{name->ifo, name->id}];
    g.split = split, g.label = label, g.ifo = name->ifo, g.id = name->id;
    g.windows[name->window] = e.path();
  }
  if (glitches.empty()) {
    const std::string problem = "class folder has no spectrograms: " + folder.string();
    if (!skip_bad) throw std::runtime_error("Gravity Spy layout: " + problem);
    scan.problems.push_back(problem);
    return;
  }
  if (std::find(scan.classes.begin(), scan.classes.end(), label) == scan.classes.end()) scan.classes.push_back(label);
  for (auto& [key, g] : glitches) scan.glitches.push_back(std::move(g));
}

}  // namespace

LayoutScan scan_layout(const fs::path& root, bool skip_bad) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::runtime_error("Gravity Spy layout: dataset folder not found: " + root.string());
  LayoutScan scan;
  std::vector<std::pair<std::string, fs::path>> roots;  // (split, folder holding class folders)
  for (const char* split : kSplitNames) {
    if (fs::is_directory(root / split, ec)) roots.emplace_back(split, root / split);
  }
  if (roots.empty()) roots.emplace_back("", root);
  for (const auto& [split, folder] : roots) {
    for (const fs::path& class_folder : sorted_subfolders(folder)) scan_class_folder(class_folder, split, skip_bad, scan);
  }
  if (scan.glitches.empty()) throw std::runtime_error("Gravity Spy layout: no class folders with spectrograms under " + root.string());
  std::sort(scan.classes.begin(), scan.classes.end());
  std::sort(scan.glitches.begin(), scan.glitches.end(), [](const GlitchFiles& a, const GlitchFiles& b) {
    return std::tie(a.split, a.label, a.ifo, a.id) < std::tie(b.split, b.label, b.ifo, b.id);
  });
  return scan;
}

}  // namespace gg::data

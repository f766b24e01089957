#pragma once
// The Gravity Spy folder layout:
//   <root>/<Class>/<ifo>_<id>_spectrogram_<duration>.png            (the official release)
//   <root>/<train|validation|test>/<Class>/<ifo>_<id>_spectrogram_<duration>.png
// with one file per time window (0.5, 1.0, 2.0, 4.0 s) of each glitch.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gg::data {

// The time windows of a Gravity Spy scan, in seconds, centred on the glitch.
inline constexpr std::array<double, 4> kWindows = {0.5, 1.0, 2.0, 4.0};
inline constexpr std::array<const char*, 4> kWindowNames = {"0.5", "1.0", "2.0", "4.0"};
inline constexpr std::array<const char*, 3> kSplitNames = {"train", "validation", "test"};

// Position of `seconds` in kWindows; throws std::invalid_argument for any other duration.
int window_index(double seconds);

// The parts of a file name `<ifo>_<id>_spectrogram_<duration>.png`.
struct SpectrogramName {
  std::string ifo;
  std::string id;
  int window = 0;  // index into kWindows
};
std::optional<SpectrogramName> parse_spectrogram_name(const std::string& file_name);
std::string spectrogram_name(const std::string& ifo, const std::string& id, int window);

// One glitch: the files of its time windows (empty paths for missing windows).
struct GlitchFiles {
  std::string split;  // "train", "validation", "test", or empty without split folders
  std::string label;  // class name
  std::string ifo;    // "H1", "L1"
  std::string id;
  std::array<std::filesystem::path, kWindows.size()> windows;

  std::string name() const { return label + "/" + ifo + "_" + id; }
};

struct LayoutScan {
  std::vector<std::string> classes;  // sorted
  std::vector<GlitchFiles> glitches; // sorted by (split, label, ifo, id)
  std::vector<std::string> problems; // what skip_bad skipped, one line each
};

// Indexes the tree under `root`. A missing root always throws std::runtime_error; an empty class
// folder or a .png whose name does not follow the pattern throws too, naming it, unless
// `skip_bad`, which records it in `problems` and goes on. Files other than .png are ignored.
LayoutScan scan_layout(const std::filesystem::path& root, bool skip_bad);

}  // namespace gg::data

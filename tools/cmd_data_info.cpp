// `glitchgan data-info`: what a Gravity Spy-layout folder holds, as the loader sees it: classes
// and counts per split, which of the two image forms it found (full figures or the plot area
// alone), what was skipped and why, cache use and decode rate, and optionally a contact sheet (one row per class) to look at.
#include <fmt/core.h>

#include <chrono>
#include <map>

#include "data/gravityspy_loader.h"
#include "data/image_grid.h"
#include "data/png_io.h"
#include "tools/cli_checks.h"
#include "tools/commands.h"

namespace gg::tools {

namespace {

struct DataInfoOptions {
  data::LoadOptions load;
  std::string sheet;
  int per_class = 6;
  bool rgb = false;
  int size = 64;
};

void run_data_info(DataInfoOptions& opt) {
  opt.load.preprocess.height = opt.load.preprocess.width = opt.size;
  opt.load.preprocess.color = opt.rgb ? data::ColorMode::rgb : data::ColorMode::gray;
  const auto start = std::chrono::steady_clock::now();
  const data::LoadedDataset loaded = data::load_gravityspy(opt.load);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const data::Dataset& ds = loaded.dataset;

  fmt::print("{}: {} glitches in {} classes, samples {}x{}x{} ({})\n", opt.load.root.string(), ds.size(),
             ds.num_classes(), ds.channels(), ds.height(), ds.width(), opt.load.preprocess.describe());
  std::map<std::string, std::map<int, std::size_t>> per_split;  // split -> class -> count
  for (std::size_t i = 0; i < ds.size(); ++i) ++per_split[ds.info(i).split.empty() ? "all" : ds.info(i).split][ds.label(i)];
  fmt::print("{:<24}", "class");
  for (const auto& [split, counts] : per_split) fmt::print(" {:>10}", split);
  fmt::print("\n");
  for (int k = 0; k < ds.num_classes(); ++k) {
    fmt::print("{:<24}", ds.class_names()[static_cast<std::size_t>(k)]);
    for (const auto& [split, counts] : per_split) {
      const auto it = counts.find(k);
      fmt::print(" {:>10}", it == counts.end() ? 0 : it->second);
    }
    fmt::print("\n");
  }
  const data::LoadReport& r = loaded.report;
  if (r.from_cache)
    fmt::print("loaded from cache {} in {:.2f} s\n", r.cache_file.string(), seconds);
  else
    fmt::print("decoded {} PNGs in {:.2f} s ({:.0f} PNG/s){}\n", r.decoded_pngs, seconds, r.decoded_pngs / seconds,
               r.cache_file.empty() ? "" : ", cached in " + r.cache_file.string());
  if (r.from_cache) {
    fmt::print("image forms: not recorded in the cache (decode again without --cache to see them)\n");
  } else {
    fmt::print("image forms: {} glitches as full {}x{} figures (plot area cropped), {} as the plot area alone "
               "(used whole), {} already of the sample's size\n",
               r.full_figures, opt.load.preprocess.expected_width, opt.load.preprocess.expected_height, r.plot_areas,
               r.sample_sized);
  }
  if (r.skipped) {
    fmt::print("skipped {} (--skip-bad):\n", r.skipped);
    for (const std::string& p : r.problems) fmt::print("  {}\n", p);
  }
  if (!opt.sheet.empty()) {
    data::write_png(opt.sheet, data::contact_sheet(ds, opt.per_class));
    fmt::print("contact sheet: {}\n", opt.sheet);
  }
}

}  // namespace

void add_data_info_command(CLI::App& app) {
  auto opt = std::make_shared<DataInfoOptions>();
  CLI::App* cmd = app.add_subcommand("data-info", "Summarise a Gravity Spy-layout folder (counts, bad files, cache) and draw a contact sheet");
  cmd->add_option("--data", opt->load.root, "root of <Class>/<ifo>_<id>_spectrogram_<dur>.png (split folders allowed)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--metadata", opt->load.metadata_csv, "official metadata CSV: splits from its sample_type column")
      ->check(CLI::ExistingFile);
  cmd->add_option("--window", opt->load.preprocess.windows, "time windows in seconds, stacked as channels (0.5,1.0,2.0,4.0)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--size", opt->size, "side of the resized crop in pixels")->check(in_range(4, 1024))->capture_default_str();
  cmd->add_flag("--rgb", opt->rgb, "keep colour (3 channels per window) instead of gray");
  cmd->add_option("--classes", opt->load.classes, "only these classes, in this order")->delimiter(',');
  cmd->add_flag("--skip-bad", opt->load.skip_bad, "skip unreadable, mis-sized or misnamed files and report them");
  cmd->add_option("--cache", opt->load.cache_dir, "folder for the decoded-data cache (reused when nothing changed)");
  cmd->add_option("--sheet", opt->sheet, "write a contact sheet PNG here (one row per class)");
  cmd->add_option("--per-class", opt->per_class, "samples per class on the contact sheet")
      ->check(in_range(1, 64))
      ->capture_default_str();
  cmd->callback([opt] { run_data_info(*opt); });
}

}  // namespace gg::tools

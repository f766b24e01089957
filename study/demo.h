#pragma once
// `glitchgan demo`, the main job: on a fresh machine and on the CPU, in minutes, show the whole
// point of the engine. It synthesizes a small imbalanced Gravity Spy-like data set (or takes a real
// one), runs the augmentation study on it (ProGAN, generated images, three classifiers), prints the
// comparison and writes <out>/report.html.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "study/augmentation_study.h"
#include "study/study_settings.h"

namespace gg::study {

struct DemoOptions {
  std::filesystem::path out = "demo-run";
  std::filesystem::path data;  // a Gravity Spy folder; empty: synthesize one into <out>/data
  // The synthetic data set: `per_class` glitches of the first class falling geometrically to
  // per_class / imbalance for the last.
  // Ten classes, some alike (Blip / Koi_Fish / Tomte, Power_Line / Violin_Mode), so that a few
  // examples of the rare ones do not make the task easy.
  std::vector<std::string> classes{"Blip",  "Koi_Fish",   "Tomte",       "Whistle",         "Scratchy",
                                   "Helix", "Power_Line", "Violin_Mode", "Scattered_Light", "Low_Frequency_Burst"};
  std::size_t per_class = 50;
  double imbalance = 10;
  StudySettings settings;
};

// The defaults as the markdown table the README shows (tests compare the two).
std::string demo_defaults_markdown();

struct DemoResult {
  StudyResult study;
  std::filesystem::path report;
  double seconds = 0;
};

DemoResult run_demo(const DemoOptions& options, const std::function<void(const std::string&)>& print);

}  // namespace gg::study

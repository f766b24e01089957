#pragma once
// The augmentation study as a page a person reads: <out>/report.html with its pictures in
// <out>/report/ (data contact sheet, the GAN's sample grid per phase, loss curves, generated
// images, classifier curves, confusion matrices) and the comparison table. Also the comparison as
// plain text for the terminal.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "study/augmentation_study.h"

namespace gg::study {

struct ReportContext {
  std::string title = "glitchgan augmentation study";
  std::string data_description;  // where the images came from, one sentence
  std::vector<std::pair<std::string, std::string>> settings;  // (name, value) rows, e.g. StudySettings::describe()
  double total_seconds = 0;
};

// Method | test accuracy | macro-F1 | best epoch | seconds, aligned for a terminal.
std::string comparison_text(const StudyResult& result);

// The study's numbers as JSON (<out>/summary.json): classes, image counts, GAN-test (of the
// sampled generator, of Gs and of G, per class), GAN-train, each method's accuracy and macro-F1,
// and the timings; NaN (not measured) as null.
std::string study_summary_json(const StudyResult& result, const data::Dataset& test, double total_seconds);

// Writes <out>/report.html and <out>/summary.json (out = the study's folder); returns the report's path.
std::filesystem::path write_study_report(const StudyResult& result, const data::Dataset& train,
                                         const data::Dataset& validation, const data::Dataset& test,
                                         const std::filesystem::path& out, const ReportContext& context);

}  // namespace gg::study

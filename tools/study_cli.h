#pragma once
// The flags that augment, experiment and demo share: every StudySettings field, defaults shown.
#include <CLI/CLI.hpp>

#include <string>

#include "study/study_settings.h"

namespace gg::tools {

void add_study_flags(CLI::App* cmd, study::StudySettings& s);

// Prints a progress line and flushes, so long runs show up in logs as they happen.
void print_line(const std::string& line);

}  // namespace gg::tools

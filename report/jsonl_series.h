#pragma once
// Chart series from JSON-lines logs (one JSON object per line), such as ProGAN's log.jsonl (keys
// step, kimg, d_loss, g_loss, gp, drift, real_score, fake_score, ...) or a per-epoch training log.
#include <filesystem>
#include <string>
#include <vector>

#include "report/chart.h"

namespace gg::report {

// One series per y key (labelled with the key), x from `x_key`. A line without a y key (or with a
// null there) adds no point to that series; blank lines are skipped. Throws std::runtime_error
// naming the file (and line) when it cannot be read, a line is not a JSON object, `x_key` is missing
// or a value is not a number, or a y key occurs on no line.
std::vector<Series> series_from_jsonl(const std::filesystem::path& path, const std::string& x_key,
                                      const std::vector<std::string>& y_keys);

}  // namespace gg::report

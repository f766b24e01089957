#include "data/realism.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "data/synth/viridis.h"

namespace gg::data {

EnergyMap energy_map(const Dataset& rgb, std::size_t index) {
  if (rgb.channels() != 3)
    throw std::invalid_argument(fmt::format("energy_map: needs RGB samples (3 channels), not {}", rgb.channels()));
  EnergyMap map{rgb.height(), rgb.width(), {}};
  const std::span<const std::uint8_t> pixels = rgb.pixels(index);
  const std::size_t plane = static_cast<std::size_t>(map.height) * map.width;
  map.values.resize(plane);
  for (std::size_t i = 0; i < plane; ++i)
    map.values[i] = synth::viridis_position({pixels[i], pixels[plane + i], pixels[2 * plane + i]});
  return map;
}

ScanStatistics scan_statistics(const EnergyMap& map, double loud_threshold) {
  const int h = map.height, w = map.width;
  ScanStatistics s;
  s.row_energy.assign(static_cast<std::size_t>(h), 0.0);
  std::size_t peak_at = 0;
  for (std::size_t i = 0; i < map.values.size(); ++i) {
    s.row_energy[i / static_cast<std::size_t>(w)] += map.values[i] / w;
    if (map.values[i] > map.values[peak_at]) peak_at = i;
  }
  s.peak = map.values.empty() ? 0 : map.values[peak_at];

  std::vector<char> in_cluster(map.values.size(), 0);
  if (s.peak >= loud_threshold) {
    int top = h, bottom = -1, left = w, right = -1;
    std::vector<std::size_t> stack{peak_at};
    in_cluster[peak_at] = 1;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      const int r = static_cast<int>(i) / w, c = static_cast<int>(i) % w;
      top = std::min(top, r), bottom = std::max(bottom, r), left = std::min(left, c), right = std::max(right, c);
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          const int rr = r + dr, cc = c + dc;
          if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
          const std::size_t j = static_cast<std::size_t>(rr) * w + cc;
          if (!in_cluster[j] && map.values[j] >= loud_threshold) {
            in_cluster[j] = 1;
            stack.push_back(j);
          }
        }
    }
    s.time_extent = static_cast<double>(right - left + 1) / w;
    s.frequency_extent = static_cast<double>(bottom - top + 1) / h;
  }

  s.background.assign(kBackgroundBins, 0.0);
  std::size_t outside = 0;
  for (std::size_t i = 0; i < map.values.size(); ++i) {
    if (in_cluster[i]) continue;
    const int bin = std::min(kBackgroundBins - 1, static_cast<int>(map.values[i] * kBackgroundBins));
    s.background[static_cast<std::size_t>(std::max(bin, 0))] += 1;
    ++outside;
  }
  if (outside > 0)
    for (double& b : s.background) b /= static_cast<double>(outside);
  return s;
}

std::vector<ClassStatistics> class_statistics(const Dataset& rgb, double loud_threshold) {
  std::vector<ClassStatistics> out;
  std::vector<std::vector<double>> peaks;
  for (const std::string& name : rgb.class_names()) {
    out.push_back({.name = name, .scans = 0, .row_energy = std::vector<double>(static_cast<std::size_t>(rgb.height()), 0.0),
                   .peak_mean = 0, .peak_std = 0, .time_extent_mean = 0, .frequency_extent_mean = 0,
                   .background = std::vector<double>(kBackgroundBins, 0.0)});
    peaks.emplace_back();
  }
  for (std::size_t i = 0; i < rgb.size(); ++i) {
    const auto k = static_cast<std::size_t>(rgb.label(i));
    const ScanStatistics s = scan_statistics(energy_map(rgb, i), loud_threshold);
    ClassStatistics& c = out[k];
    ++c.scans;
    for (std::size_t r = 0; r < s.row_energy.size(); ++r) c.row_energy[r] += s.row_energy[r];
    for (std::size_t b = 0; b < s.background.size(); ++b) c.background[b] += s.background[b];
    c.time_extent_mean += s.time_extent;
    c.frequency_extent_mean += s.frequency_extent;
    peaks[k].push_back(s.peak);
  }
  std::vector<ClassStatistics> present;
  for (std::size_t k = 0; k < out.size(); ++k) {
    ClassStatistics& c = out[k];
    if (c.scans == 0) continue;
    const auto n = static_cast<double>(c.scans);
    for (double& v : c.row_energy) v /= n;
    for (double& v : c.background) v /= n;
    c.time_extent_mean /= n;
    c.frequency_extent_mean /= n;
    for (double p : peaks[k]) c.peak_mean += p / n;
    double squares = 0;
    for (double p : peaks[k]) squares += (p - c.peak_mean) * (p - c.peak_mean);
    c.peak_std = c.scans > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
    present.push_back(std::move(c));
  }
  return present;
}

ClassComparison compare_class(const ClassStatistics& real, const ClassStatistics& synthetic) {
  if (real.row_energy.size() != synthetic.row_energy.size())
    throw std::invalid_argument(fmt::format("compare_class {}: {} rows against {}", real.name, real.row_energy.size(),
                                            synthetic.row_energy.size()));
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : std::numeric_limits<double>::quiet_NaN(); };
  ClassComparison c{.real = real, .synthetic = synthetic};
  for (std::size_t r = 0; r < real.row_energy.size(); ++r)
    c.row_energy_difference += std::abs(synthetic.row_energy[r] - real.row_energy[r]) / static_cast<double>(real.row_energy.size());
  c.peak_difference = synthetic.peak_mean - real.peak_mean;
  c.time_extent_ratio = ratio(synthetic.time_extent_mean, real.time_extent_mean);
  c.frequency_extent_ratio = ratio(synthetic.frequency_extent_mean, real.frequency_extent_mean);
  for (std::size_t b = 0; b < real.background.size(); ++b)
    c.background_distance += 0.5 * std::abs(synthetic.background[b] - real.background[b]);
  return c;
}

}  // namespace gg::data

#pragma once
// Small data sets and networks for the classifier tests: the bars task as a Dataset of bytes, and
// a classifier small enough to train in a second.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/toy_task.h"
#include "nets/classifier.h"

namespace gg::testing {

inline const std::vector<std::string>& bar_classes() {
  static const std::vector<std::string> names{"AntiDiagonal", "Diagonal", "Horizontal", "Vertical"};
  return names;
}

// `count` noisy bar images (data/toy_task.h) as bytes; label k is bar_classes()[k].
inline data::Dataset bars_dataset(int count, int size, std::uint64_t seed, double noise = 0.5) {
  Generator gen(seed);
  const data::LabelledImages bars = data::make_bars(count, size, noise, gen);
  const std::vector<float> values = bars.images.to_vector<float>();
  std::vector<std::uint8_t> pixels(values.size());
  // Noise around 0 and bars near 1.5 span about [-1.5, 3]; map that onto the bytes.
  std::transform(values.begin(), values.end(), pixels.begin(), [](float v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround((v + 1.5) / 4.5 * 255.0), 0L, 255L));
  });
  // make_bars cycles horizontal, vertical, diagonal, anti-diagonal; bar_classes() is sorted.
  const int to_sorted[] = {2, 3, 1, 0};
  std::vector<int> labels;
  for (int l : bars.labels) labels.push_back(to_sorted[l]);
  std::vector<data::SampleInfo> infos(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) infos[static_cast<std::size_t>(i)] = {"", "T1", std::to_string(i)};
  return data::Dataset(bar_classes(), 1, size, size, std::move(pixels), std::move(labels), std::move(infos));
}

// Every sample the same byte value: to tell data sets apart inside mixed batches.
inline data::Dataset constant_dataset(int count, int size, std::uint8_t value, const std::vector<int>& labels_cycle,
                                      const std::vector<std::string>& classes) {
  std::vector<int> labels;
  for (int i = 0; i < count; ++i) labels.push_back(labels_cycle[static_cast<std::size_t>(i) % labels_cycle.size()]);
  return data::Dataset(classes, 1, size, size, std::vector<std::uint8_t>(static_cast<std::size_t>(count) * size * size, value),
                       std::move(labels), std::vector<data::SampleInfo>(static_cast<std::size_t>(count)));
}

inline nets::ClassifierConfig small_net() {
  return {.channels = 1, .resolution = 16, .num_classes = 4, .widths = {8, 16}, .dropout = 0.1};
}

}  // namespace gg::testing

#pragma once
// A separable synthetic image task for the engine demo and tests: noisy single-channel images
// of a bright bar that is horizontal, vertical, diagonal or anti-diagonal (4 classes).
#include <vector>

#include "engine/random.h"
#include "engine/tensor.h"

namespace gg::data {

struct LabelledImages {
  Tensor images;            // (N, 1, S, S), f32
  std::vector<int> labels;  // N labels in [0, 4)
};

constexpr int kToyClasses = 4;

// `count` images of size x size with noise of standard deviation `noise`, labels cycling 0..3.
LabelledImages make_bars(int count, int size, double noise, Generator& gen);

}  // namespace gg::data

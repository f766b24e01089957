#include "data/toy_task.h"

#include <stdexcept>

#include "engine/ops.h"

namespace gg::data {

LabelledImages make_bars(int count, int size, double noise, Generator& gen) {
  if (count < 1 || size < 4) throw std::invalid_argument("make_bars: need count >= 1 and size >= 4");
  LabelledImages out;
  out.images = Tensor::randn({count, 1, size, size}, gen) * noise;
  float* px = out.images.data<float>();
  for (int i = 0; i < count; ++i) {
    const int label = i % kToyClasses;
    out.labels.push_back(label);
    // Where the bar sits: a row, a column, or a diagonal shift, drawn from the generator.
    const int at = static_cast<int>(gen.uniform() * (size - 2)) + 1;
    float* img = px + static_cast<std::ptrdiff_t>(i) * size * size;
    for (int t = 0; t < size; ++t) {
      int r = 0, c = 0;
      switch (label) {
        case 0: r = at, c = t; break;                          // horizontal
        case 1: r = t, c = at; break;                          // vertical
        case 2: r = t, c = (t + at) % size; break;             // diagonal
        default: r = t, c = (size - 1 - t + at) % size; break; // anti-diagonal
      }
      img[r * size + c] += 1.5f;
    }
  }
  return out;
}

}  // namespace gg::data

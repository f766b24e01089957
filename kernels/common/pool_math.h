#pragma once
// The 2x2 max-pool window rule, the same on every backend: the window is read top-left (0),
// top-right (1), bottom-left (2), bottom-right (3); the maximum wins and ties go to the first.
// The comparisons are exactly those of the CPU kernel, so even NaN windows agree.
#include "kernels/common/host_device.h"

namespace gg {

// Index (0..3) of the window element max pooling picks.
template <typename T>
GG_HD int max_pool_pick(T a, T b, T c, T d) {
  const T top = a < b ? b : a, bottom = c < d ? d : c;  // std::max(a, b), std::max(c, d)
  if (top >= bottom) return a >= b ? 0 : 1;
  return c >= d ? 2 : 3;
}

// The pooled value: std::max(std::max(a, b), std::max(c, d)).
template <typename T>
GG_HD T max_pool_value(T a, T b, T c, T d) {
  const T top = a < b ? b : a, bottom = c < d ? d : c;
  return top < bottom ? bottom : top;
}

}  // namespace gg

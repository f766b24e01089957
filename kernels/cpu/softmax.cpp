// Row-wise log-softmax: y = x - max - log(sum exp(x - max)), the sum in double.
#include <cmath>

#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

void CpuBackend::log_softmax(const Tensor& x, const Tensor& y) {
  const std::int64_t rows = x.size(0), cols = x.size(1);
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    cpu::parallel_for(rows, std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(cols, 1)), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        const T* in = px + r * cols;
        T* out = py + r * cols;
        T mx = in[0];
        for (std::int64_t c = 1; c < cols; ++c) mx = std::max(mx, in[c]);
        double s = 0;
        for (std::int64_t c = 0; c < cols; ++c) s += std::exp(static_cast<double>(in[c] - mx));
        const T shift = mx + static_cast<T>(std::log(s));
        for (std::int64_t c = 0; c < cols; ++c) out[c] = in[c] - shift;
      }
    });
  });
}

}  // namespace gg

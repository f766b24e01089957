// Uses the installed engine as a library: a conv2d forward and backward, checked by hand.
// Exits 0 when the output and both gradients are what the definition of a convolution gives.
#include <glitchgan/engine/autograd.h>
#include <glitchgan/engine/ops.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  using gg::Tensor;
  // x (1, 1, 3, 3) = 1..9, w (1, 1, 2, 2) = 1..4: a 2x2 output, y[i][j] = sum_rs x[i+r][j+s] w[r][s].
  Tensor x = Tensor::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = Tensor::from_vector(std::vector<double>{1, 2, 3, 4}, {1, 1, 2, 2});
  x.set_requires_grad();
  w.set_requires_grad();
  const Tensor y = gg::conv2d(x, w);
  gg::backward({gg::sum(y)});
  const std::vector<double> out = y.to_vector<double>(), dw = w.grad().to_vector<double>(),
                            dx = x.grad().to_vector<double>();
  // d sum(y) / dw[r][s] = sum of the 2x2 window of x starting at (r, s); d / dx = how many times
  // each x meets each w, weighted.
  const std::vector<double> want_out{37, 47, 67, 77}, want_dw{12, 16, 24, 28}, want_dx{1, 3, 2, 4, 10, 6, 3, 7, 4};
  const bool ok = out == want_out && dw == want_dw && dx == want_dx;
  std::printf("glitchgan consumer: conv2d forward %s, backward %s\n", out == want_out ? "ok" : "WRONG",
              dw == want_dw && dx == want_dx ? "ok" : "WRONG");
  return ok ? 0 : 1;
}

// ProGAN's fused ops beyond the op table (tests/op_table.h, whose rows check each against the
// unfused composition that defines it, its gradients and its second-order gradients in double):
// minibatch stddev's grouping against a hand-computed case, the fused backward kernels against
// the recorded backward, and clear errors.
#include <cmath>

#include "engine/ops_progan.h"
#include "engine/progan_backend.h"
#include "tests/test_cuda_helpers.h"
#include "tests/testing.h"

using namespace gg;
using gg::testing::check_close;
using gg::testing::random_f64;

TEST_CASE("progan ops: minibatch_stddev groups samples m, m+M, m+2M... (hand-computed)") {
  // N = 4, group 2, so M = 2: group 0 = samples {0, 2}, group 1 = samples {1, 3}. Two features each.
  const Tensor x = Tensor::from_vector(std::vector<double>{1, 0, 10, 5, 3, 4, 20, 5}, {4, 1, 1, 2});
  // Group 0: features (1 vs 3) and (0 vs 4), variances 1 and 4. Group 1: (10 vs 20) and (5 vs 5),
  // variances 25 and 0; the 1e-8 inside the sqrt makes the second std 1e-4.
  const double s0 = (std::sqrt(1 + 1e-8) + std::sqrt(4 + 1e-8)) / 2, s1 = (std::sqrt(25 + 1e-8) + 1e-4) / 2;
  const Tensor expected = Tensor::from_vector(
      std::vector<double>{1, 0, s0, s0, 10, 5, s1, s1, 3, 4, s0, s0, 20, 5, s1, s1}, {4, 2, 1, 2});
  check_close(minibatch_stddev(x, 2), expected, 1e-12, 1e-12);
  // The group size is capped at the batch: a batch of 4 with group 8 is one group of 4.
  const Tensor one_group = minibatch_stddev(x, 8);
  const Tensor same_group = minibatch_stddev(x, 4);
  check_close(one_group, same_group, 0, 0);
  CHECK_THROWS_WITH_AS(minibatch_stddev(random_f64({6, 1, 2, 2}, 1), 4), doctest::Contains("not divisible"),
                       std::invalid_argument);
}

TEST_CASE("progan ops: the fused backward kernels equal the recorded backward") {
  // A plain backward runs the fused kernels; grad with create_graph runs the differentiable ops.
  const Tensor x = random_f64({8, 3, 4, 4}, 40).set_requires_grad(true);
  const Tensor v = random_f64({8, 4, 4, 4}, 41);
  for (auto op : {+[](const Tensor& t) { return concat({pixel_norm(t), t}, 1).reshape({8, 6, 4, 4}); },
                  +[](const Tensor& t) { return minibatch_stddev(t); }}) {
    const Tensor out = op(x);
    const Tensor proj = sum(mul(slice(out, 1, 0, 4), v));
    const Tensor fused = grad({proj}, {x}, {}, {.retain_graph = true})[0];
    const Tensor recorded = grad({proj}, {x}, {}, {.create_graph = true})[0];
    CHECK(recorded.requires_grad());
    check_close(fused, recorded, 1e-13, 1e-12);
  }
}

TEST_CASE("progan ops: clear errors") {
  const Tensor img = random_f64({2, 3, 4, 4}, 50), b = random_f64({2}, 51);
  CHECK_THROWS_WITH_AS(equalized_conv2d(img, random_f64({2, 3, 2, 2}, 52), b), doctest::Contains("odd size"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(equalized_conv2d(img, random_f64({2, 4, 3, 3}, 53), b), doctest::Contains("does not fit"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fade_in(0.5, img, random_f64({2, 3, 2, 2}, 54)), doctest::Contains("resample the old branch"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fade_in(1.5, img, img), doctest::Contains("outside [0, 1]"), std::invalid_argument);
  if (!cuda_testing::cuda_visible()) {  // no build or no device: the error names the kernel and why
    CHECK_THROWS_WITH_AS(progan_kernels_for(Device::cuda(), "pixel_norm_forward"),
                         doctest::Contains("ProGAN kernel 'pixel_norm_forward'"), std::runtime_error);
  }
}

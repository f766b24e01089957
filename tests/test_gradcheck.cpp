// First-order gradients of every op against central differences in double: the rows of the op
// table (tests/op_table.h) small enough for them, one SUBCASE each.
#include "tests/op_table.h"
#include "tests/testing.h"

using namespace gg;
using namespace gg::op_table;

namespace {

void check_group(Group group) {
  for (const OpCase& row : op_cases()) {
    if (row.group != group || !row.gradcheck) continue;
    SUBCASE(row.name.c_str()) {
      // Only a row with kinks inside may have elements skipped for sitting on one.
      testing::check_gradients(row.op, make_inputs(row, DType::f64),
                               {.max_kink_share = row.kinks == Kinks::inside ? 0.05 : 0.0});
    }
  }
}

}  // namespace

TEST_CASE("gradcheck: elementwise ops of the op table, broadcasting too") { check_group(Group::elementwise); }

TEST_CASE("gradcheck: reductions, broadcasts and shape ops of the op table") { check_group(Group::reduction_shape); }

TEST_CASE("gradcheck: matmul, linear, conv2d and its adjoints of the op table") { check_group(Group::linalg_conv); }

TEST_CASE("gradcheck: pooling, upsampling, softmax, losses, batch norm and dropout of the op table") {
  check_group(Group::nn);
}

TEST_CASE("gradcheck: ProGAN's fused ops of the op table") { check_group(Group::progan); }

TEST_CASE("gradcheck: gradient reversal passes -lambda times the gradient of what follows it") {
  // f is checked against central differences; f after a reversal must get -lambda times f's gradient.
  const Tensor w = testing::random_f64({3, 4}, 2);
  const auto f = [&w](const Tensor& x) { return sum(square(linear(x, w))); };
  testing::check_gradients([&](const Inputs& v) { return f(v[0]); }, {testing::random_f64({5, 4}, 1)});
  for (double lambda : {0.0, 0.3, 1.0}) {
    CAPTURE(lambda);
    Tensor x = testing::random_f64({5, 4}, 1);
    x.set_requires_grad();
    f(x).backward();
    const Tensor plain = x.grad().clone();
    x.zero_grad();
    const Tensor reversed_input = gradient_reversal(x, lambda);
    testing::check_close(reversed_input, x, 0, 0);  // the forward is the identity
    f(reversed_input).backward();
    testing::check_close(x.grad(), mul(plain, -lambda), 1e-15, 1e-15);
  }
}

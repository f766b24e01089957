// 2x resampling on NCHW: nearest upsample and 2x2 average pool are each other's adjoints (up to
// a factor 4), so both are differentiable to any order; max pool routes through a constant mask.
#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

namespace {

void check_pool_input(const char* op, const Tensor& x) {
  detail::check_rank(op, x, 4, "input");
  if (x.size(2) % 2 || x.size(3) % 2)
    detail::fail(op, "height and width of " + shape_str(x.shape()) + " must be even");
}

}  // namespace

Tensor upsample_nearest2x(const Tensor& x) {
  detail::check_rank("upsample_nearest2x", x, 4, "input");
  Tensor y = Tensor::empty({x.size(0), x.size(1), 2 * x.size(2), 2 * x.size(3)}, x.options());
  be(x).upsample_nearest2x(x, y);
  return record("upsample_nearest2x", y, {x},
                [](Node&, const Tensor& g) { return Grads{mul(avg_pool2x2(g), 4.0)}; });
}

Tensor avg_pool2x2(const Tensor& x) {
  check_pool_input("avg_pool2x2", x);
  Tensor y = Tensor::empty({x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2}, x.options());
  be(x).avg_pool2x2(x, y);
  return record("avg_pool2x2", y, {x},
                [](Node&, const Tensor& g) { return Grads{mul(upsample_nearest2x(g), 0.25)}; });
}

Tensor max_pool2x2(const Tensor& x) {
  check_pool_input("max_pool2x2", x);
  Tensor y = Tensor::empty({x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2}, x.options());
  // The mask is the backward's alone: without a graph to record, the kernel writes only y.
  const Tensor mask = records_graph({x}) ? Tensor::empty(x.shape(), x.options()) : Tensor();
  be(x).max_pool2x2(x, y, mask);
  return record("max_pool2x2", y, {x}, [](Node& n, const Tensor& g) {
    const Tensor& mask = n.saved[0];
    // A recorded backward takes the composed ops, differentiable again; a plain one the fused kernel, same bits.
    if (GradMode::enabled()) return Grads{mul(upsample_nearest2x(g), mask)};
    Tensor gx = Tensor::empty(mask.shape(), mask.options());
    be(mask).max_pool2x2_backward(g.detach(), mask, gx);
    return Grads{gx};
  }, {mask});
}

}  // namespace gg

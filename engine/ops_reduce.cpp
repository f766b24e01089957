// Sums, means and the broadcast/sum_to adjoint pair.
#include <algorithm>

#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

namespace {

// Sums x down to `keep` (same rank, 1 where summed). Not recorded.
Tensor sum_keepdim_raw(const Tensor& x, const Shape& keep) {
  Tensor out = Tensor::empty(keep, x.options());
  be(x).sum_reduce(x.detach(), out);
  return out;
}

Shape keepdim_shape(const char* op, const Tensor& x, const std::vector<int>& dims) {
  Shape keep = x.shape();
  for (int d : dims) keep[static_cast<std::size_t>(detail::normalize_dim(op, d, x.dim()))] = 1;
  return keep;
}

Shape squeeze_dims(const Shape& x_shape, const std::vector<int>& dims, int rank) {
  Shape out;
  for (int i = 0; i < rank; ++i) {
    const bool reduced = std::any_of(dims.begin(), dims.end(), [&](int d) { return (d < 0 ? d + rank : d) == i; });
    if (!reduced) out.push_back(x_shape[static_cast<std::size_t>(i)]);
  }
  return out;
}

}  // namespace

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const Shape padded = detail::pad_left(x.shape(), shape.size());
  if (detail::broadcast_shapes("broadcast_to", padded, shape) != shape)
    detail::fail("broadcast_to", "cannot stretch " + shape_str(x.shape()) + " to " + shape_str(shape));
  Tensor out = Tensor::empty(shape, x.options());
  be(x).expand(x.detach().reshape(padded), out);
  return record("broadcast_to", out, {x},
                [s = x.shape()](Node&, const Tensor& g) { return Grads{sum_to(g, s)}; });
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (shape.size() > x.shape().size())
    detail::fail("sum_to", "cannot sum " + shape_str(x.shape()) + " to the larger rank of " + shape_str(shape));
  const Shape keep = detail::pad_left(shape, x.shape().size());
  for (std::size_t i = 0; i < keep.size(); ++i)
    if (keep[i] != 1 && keep[i] != x.shape()[i])
      detail::fail("sum_to", "cannot sum " + shape_str(x.shape()) + " to " + shape_str(shape));
  Tensor out = sum_keepdim_raw(x, keep).reshape(shape);
  return record("sum_to", out.detach(), {x},
                [s = x.shape()](Node&, const Tensor& g) { return Grads{broadcast_to(g, s)}; });
}

Tensor sum(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  detail::check_defined("sum", x, "input");
  const Shape keep = keepdim_shape("sum", x, dims);
  Tensor out = record("sum", sum_keepdim_raw(x, keep), {x},
                      [s = x.shape()](Node&, const Tensor& g) { return Grads{broadcast_to(g, s)}; });
  return keepdim ? out : out.reshape(squeeze_dims(x.shape(), dims, x.dim()));
}

Tensor mean(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  detail::check_defined("mean", x, "input");
  std::int64_t count = 1;
  for (int d : dims) count *= x.shape()[static_cast<std::size_t>(detail::normalize_dim("mean", d, x.dim()))];
  return mul(sum(x, dims, keepdim), 1.0 / static_cast<double>(count));
}

Tensor sum(const Tensor& x) {
  detail::check_defined("sum", x, "input");
  std::vector<int> all(static_cast<std::size_t>(x.dim()));
  for (int i = 0; i < x.dim(); ++i) all[static_cast<std::size_t>(i)] = i;
  return sum(x, all, false);
}

Tensor mean(const Tensor& x) { return mul(sum(x), 1.0 / static_cast<double>(std::max<std::int64_t>(1, x.numel()))); }

}  // namespace gg

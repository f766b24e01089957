// Views and copies that change shape: reshape, concat and slice along any dim.
#include <numeric>

#include "engine/op_utils.h"
#include "engine/ops.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

namespace {

std::int64_t prod(const Shape& s, std::size_t begin, std::size_t end) {
  std::int64_t n = 1;
  for (std::size_t i = begin; i < end; ++i) n *= s[i];
  return n;
}

// Places g (x's slice [start, start + g.size(dim)) along dim) into zeros of `full` shape.
Tensor embed_slice(const Tensor& g, const Shape& full, int dim, std::int64_t start) {
  const auto d = static_cast<std::size_t>(dim);
  const std::int64_t outer = prod(full, 0, d), inner = prod(full, d + 1, full.size());
  Tensor out = Tensor::zeros(full, g.options());
  be(g).copy_rows(g.detach(), g.shape()[d] * inner, 0, out, full[d] * inner, start * inner, outer,
                  g.shape()[d] * inner);
  return record("embed_slice", out, {g},
                [dim, start, len = g.shape()[d]](Node&, const Tensor& gg_) {
                  return Grads{slice(gg_, dim, start, start + len)};
                });
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  detail::check_defined("reshape", x, "input");
  Shape resolved = shape;
  std::int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1) {
      if (infer >= 0) detail::fail("reshape", "more than one -1 in " + shape_str(shape));
      infer = static_cast<int>(i);
    } else {
      known *= resolved[i];
    }
  }
  if (infer >= 0) resolved[static_cast<std::size_t>(infer)] = known == 0 ? 0 : x.numel() / known;
  if (shape_numel(resolved) != x.numel())
    detail::fail("reshape", "cannot view " + shape_str(x.shape()) + " as " + shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = x.impl()->storage;
  impl->offset = x.impl()->offset;
  impl->shape = resolved;
  impl->dtype = x.dtype();
  return record("reshape", Tensor(std::move(impl)), {x},
                [s = x.shape()](Node&, const Tensor& g) { return Grads{reshape(g, s)}; });
}

Tensor concat(const std::vector<Tensor>& xs, int dim) {
  if (xs.empty()) detail::fail("concat", "no tensors given");
  const Tensor& first = xs[0];
  const int d = detail::normalize_dim("concat", dim, first.dim());
  const auto du = static_cast<std::size_t>(d);
  Shape out_shape = first.shape();
  out_shape[du] = 0;
  for (const Tensor& x : xs) {
    detail::check_compatible("concat", first, x);
    for (int i = 0; i < first.dim(); ++i)
      if (i != d && x.size(i) != first.size(i))
        detail::fail("concat", "shapes " + shape_str(first.shape()) + " and " + shape_str(x.shape()) +
                                   " differ outside dim " + std::to_string(d));
    out_shape[du] += x.shape()[du];
  }
  const std::int64_t outer = prod(out_shape, 0, du), inner = prod(out_shape, du + 1, out_shape.size());
  Tensor out = Tensor::empty(out_shape, first.options());
  std::vector<std::int64_t> starts;
  std::int64_t at = 0;
  for (const Tensor& x : xs) {
    starts.push_back(at);
    be(x).copy_rows(x.detach(), x.shape()[du] * inner, 0, out, out_shape[du] * inner, at * inner, outer,
                    x.shape()[du] * inner);
    at += x.shape()[du];
  }
  std::vector<std::int64_t> sizes;
  for (const Tensor& x : xs) sizes.push_back(x.shape()[du]);
  return record("concat", out, xs, [d, starts, sizes](Node& n, const Tensor& g) {
    Grads grads(starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i)
      if (n.needs_grad(i)) grads[i] = slice(g, d, starts[i], starts[i] + sizes[i]);
    return grads;
  });
}

Tensor slice(const Tensor& x, int dim, std::int64_t start, std::int64_t end) {
  detail::check_defined("slice", x, "input");
  const int d = detail::normalize_dim("slice", dim, x.dim());
  const auto du = static_cast<std::size_t>(d);
  if (start < 0 || end > x.shape()[du] || start >= end)
    detail::fail("slice", "range [" + std::to_string(start) + ", " + std::to_string(end) + ") is invalid for dim " +
                              std::to_string(d) + " of " + shape_str(x.shape()));
  Shape out_shape = x.shape();
  out_shape[du] = end - start;
  const std::int64_t outer = prod(out_shape, 0, du), inner = prod(out_shape, du + 1, out_shape.size());
  Tensor out = Tensor::empty(out_shape, x.options());
  be(x).copy_rows(x.detach(), x.shape()[du] * inner, start * inner, out, out_shape[du] * inner, 0, outer,
                  out_shape[du] * inner);
  return record("slice", out, {x}, [full = x.shape(), d, start](Node&, const Tensor& g) {
    return Grads{embed_slice(g, full, d, start)};
  });
}

}  // namespace gg

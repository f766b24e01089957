#include "engine/op_utils.h"

#include <stdexcept>

namespace gg::detail {

void fail(const char* op, const std::string& message) {
  throw std::invalid_argument(std::string(op) + ": " + message);
}

void check_defined(const char* op, const Tensor& t, const char* what) {
  if (!t.defined()) fail(op, std::string(what) + " is undefined");
}

void check_compatible(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a, "first operand");
  check_defined(op, b, "second operand");
  if (a.dtype() != b.dtype())
    fail(op, std::string("dtype mismatch: ") + dtype_name(a.dtype()) + " vs " + dtype_name(b.dtype()));
  if (!(a.device() == b.device()))
    fail(op, "device mismatch: " + a.device().str() + " vs " + b.device().str());
}

void check_rank(const char* op, const Tensor& t, int rank, const char* what) {
  check_defined(op, t, what);
  if (t.dim() != rank)
    fail(op, std::string(what) + " must have " + std::to_string(rank) + " dims, got shape " + shape_str(t.shape()));
}

int normalize_dim(const char* op, int dim, int rank) {
  const int d = dim < 0 ? dim + rank : dim;
  if (d < 0 || d >= rank) fail(op, "dim " + std::to_string(dim) + " out of range for rank " + std::to_string(rank));
  return d;
}

Shape pad_left(const Shape& shape, std::size_t rank) {
  Shape out(rank - shape.size(), 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  const Shape pa = pad_left(a, rank), pb = pad_left(b, rank);
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    if (pa[i] == pb[i] || pb[i] == 1)
      out[i] = pa[i];
    else if (pa[i] == 1)
      out[i] = pb[i];
    else
      fail(op, "shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
  }
  return out;
}

Tensor unary_constant(UnaryOp op, const Tensor& x, double alpha) {
  Tensor y = Tensor::empty(x.shape(), x.options());
  be(x).unary(op, x.detach(), y, alpha);
  return y;
}

}  // namespace gg::detail

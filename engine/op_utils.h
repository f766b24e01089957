#pragma once
// Small shape and argument checks shared by the op implementations.
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/tensor.h"

namespace gg::detail {

inline Backend& be(const Tensor& t) { return backend_for(t.device()); }

// Throws std::invalid_argument("<op>: <message>").
[[noreturn]] void fail(const char* op, const std::string& message);

void check_defined(const char* op, const Tensor& t, const char* what);
// Same dtype and device, or a clear error naming both.
void check_compatible(const char* op, const Tensor& a, const Tensor& b);
void check_rank(const char* op, const Tensor& t, int rank, const char* what);
// Resolves a possibly negative dim against rank.
int normalize_dim(const char* op, int dim, int rank);
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);
// `shape` with `rank - shape.size()` leading ones.
Shape pad_left(const Shape& shape, std::size_t rank);

// Runs a raw unary kernel with no autograd record: masks and other constants of a backward.
Tensor unary_constant(UnaryOp op, const Tensor& x, double alpha = 0);

}  // namespace gg::detail

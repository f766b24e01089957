#pragma once
// The scalar math of every unary and binary op, shared by the CPU loops and CUDA kernels.
#include <cmath>
#include <type_traits>

#include "kernels/common/op_kinds.h"
#include "kernels/common/host_device.h"

namespace gg {

template <UnaryOp Op, typename T>
GG_HD T unary_apply(T x, T alpha) {
  if constexpr (Op == UnaryOp::neg) return -x;
  else if constexpr (Op == UnaryOp::exp) return std::exp(x);
  else if constexpr (Op == UnaryOp::log) return std::log(x);
  else if constexpr (Op == UnaryOp::sqrt) return std::sqrt(x);
  else if constexpr (Op == UnaryOp::rsqrt) return T(1) / std::sqrt(x);
  else if constexpr (Op == UnaryOp::abs) return std::fabs(x);
  else if constexpr (Op == UnaryOp::sign) return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
  else if constexpr (Op == UnaryOp::square) return x * x;
  else if constexpr (Op == UnaryOp::pow) return std::pow(x, alpha);
  else if constexpr (Op == UnaryOp::relu) return x > T(0) ? x : T(0);
  else if constexpr (Op == UnaryOp::step) return x > T(0) ? T(1) : T(0);
  else if constexpr (Op == UnaryOp::leaky_relu) return x > T(0) ? x : alpha * x;
  else if constexpr (Op == UnaryOp::leaky_step) return x > T(0) ? T(1) : alpha;
  else if constexpr (Op == UnaryOp::scale) return alpha * x;
  else return x + alpha;  // add_scalar
}

template <BinaryOp Op, typename T>
GG_HD T binary_apply(T a, T b) {
  if constexpr (Op == BinaryOp::add) return a + b;
  else if constexpr (Op == BinaryOp::sub) return a - b;
  else if constexpr (Op == BinaryOp::mul) return a * b;
  else return a / b;
}

// Calls f(std::integral_constant<UnaryOp, op>) so kernels are instantiated per op.
template <typename F> void dispatch_unary(UnaryOp op, F&& f) {
  switch (op) {
#define GG_UNARY_CASE(name) \
  case UnaryOp::name: return f(std::integral_constant<UnaryOp, UnaryOp::name>{});
    GG_UNARY_CASE(neg) GG_UNARY_CASE(exp) GG_UNARY_CASE(log) GG_UNARY_CASE(sqrt) GG_UNARY_CASE(rsqrt)
    GG_UNARY_CASE(abs) GG_UNARY_CASE(sign) GG_UNARY_CASE(square) GG_UNARY_CASE(pow) GG_UNARY_CASE(relu)
    GG_UNARY_CASE(step) GG_UNARY_CASE(leaky_relu) GG_UNARY_CASE(leaky_step) GG_UNARY_CASE(scale)
    GG_UNARY_CASE(add_scalar)
#undef GG_UNARY_CASE
  }
}

template <typename F> void dispatch_binary(BinaryOp op, F&& f) {
  switch (op) {
    case BinaryOp::add: return f(std::integral_constant<BinaryOp, BinaryOp::add>{});
    case BinaryOp::sub: return f(std::integral_constant<BinaryOp, BinaryOp::sub>{});
    case BinaryOp::mul: return f(std::integral_constant<BinaryOp, BinaryOp::mul>{});
    case BinaryOp::div: return f(std::integral_constant<BinaryOp, BinaryOp::div>{});
  }
}

}  // namespace gg

#pragma once
// The elementwise op kinds every backend implements.
namespace gg {

enum class UnaryOp {
  neg, exp, log, sqrt, rsqrt, abs, sign, square,
  pow,         // x^alpha
  relu,
  step,        // 1 where x > 0, else 0 (relu's derivative)
  leaky_relu,  // x > 0 ? x : alpha x
  leaky_step,  // x > 0 ? 1 : alpha (leaky_relu's derivative)
  scale,       // alpha x
  add_scalar,  // x + alpha
};

enum class BinaryOp { add, sub, mul, div };

}  // namespace gg

#pragma once
// The one table of op test cases (as ggml's test-backend-ops): each op is declared once, as one or
// more rows (an op at one set of input shapes), and the generic tests iterate the rows, one doctest
// SUBCASE each, so a failure names the row:
//   tests/test_ops_forward.cpp   the forward against `reference`, a plain loop in double, f32 and f64;
//   tests/test_gradcheck.cpp     first-order gradients against central differences, in double;
//   tests/test_second_order.cpp  gradients of gradients, for the rows on the gradient-penalty path;
//   tests/test_cuda_ops.cpp      CUDA against the CPU, forward and gradients, within the row's class;
//   bench/bench_elementwise.cpp, bench/bench_cuda_elementwise.cpp  the unary kernels of kUnaryOps
//                                that ask for a benchmark.
// Properties that are not one op against its reference (error messages, large-sum determinism,
// dropout statistics, batch-norm running statistics, conv2d's adjoints and batch chunks) stay
// TEST_CASEs of their own in those files.
//
// Adding an elementwise unary op touches five files: engine/ops.h (its declaration),
// engine/ops_elementwise.cpp (forward and backward), kernels/common/op_kinds.h and
// kernels/common/elementwise_math.h (its kernel, which the CPU and CUDA backends both instantiate),
// and one row of kUnaryOps below. Any other op: its declaration, implementation and kernels, and
// its rows in tests/op_table.cpp.
//
// Header-only but for op_cases(), so that the benchmarks (which link no test code) read kUnaryOps.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/ops.h"
#include "kernels/common/op_kinds.h"

namespace gg::op_table {

// What an input is drawn from: a standard normal (fixed seed per input), then
enum class Domain {
  normal,    // as drawn
  positive,  // |x| + 0.2: log, sqrt, rsqrt, pow
  nonzero,   // moved 0.5 away from zero: divisors
  ties,      // rounded down to integers, so many values are equal (max pooling's ties)
};

// Where the gradient has kinks, which central differences must not straddle.
enum class Kinks {
  none,     // smooth: the gradient check may skip no element
  at_zero,  // abs, relu, leaky_relu: normal inputs are moved 0.1 away from zero, so none lands on one
  inside,   // at values only the op sees (max of a window, a fused activation's input): the check
            // skips elements that sit on one, at most 5% of them
};

// Tolerance classes: how closely CUDA must match the CPU (tests/test_cuda_ops.cpp), and the CPU its
// plain double reference (tests/test_ops_forward.cpp); the numbers are in op_table.cpp.
//   exact:          data movement (copies, broadcasting, concat, pooling, upsampling), IEEE-rounded
//                   arithmetic (+ - * /, sqrt) and anything the backends compute in the same order.
//   transcendental: f32 1e-6 relative, f64 1e-14: CUDA's and glibc's exp, log, pow differ by an ulp
//                   or two; also ops whose gradients are sums of a few terms.
//   reduction:      sums of n standard-normal inputs, accumulated in double in another order: f32
//                   1e-6 (the double result rounds alike); f64 ceil(log2 n) * n * 2^-53 absolute,
//                   the bound of a blocked summation's rounding error (each of the log2 n levels
//                   adds at most one rounding of at most sum |x|, about 0.8 n here).
//   composite:      f32 1e-5, f64 1e-12: compositions whose gradients cancel (batch norm, softmax
//                   losses, lerp).
//   blas:           f32 2e-4, f64 1e-11: GEMMs and convolutions (cuBLAS/cuDNN and OpenBLAS/oneDNN
//                   sum in different orders; f32 errors grow with the reduction length).
enum class Tol { exact, transcendental, reduction, composite, blas };

struct Tolerance {
  double atol, rtol;
};
// Of the CPU forward against its reference, and of CUDA against the CPU; `terms` is the number of
// inputs summed into each output, which the reduction class scales with.
Tolerance reference_tolerance(Tol tol, DType dt, std::int64_t terms);
Tolerance cuda_tolerance(Tol tol, DType dt, std::int64_t terms);

// The groups rows fall in; each generic test has one TEST_CASE per group.
enum class Group { elementwise, reduction_shape, linalg_conv, nn, progan };

using Inputs = std::vector<Tensor>;
using Fn = std::function<Tensor(const Inputs&)>;

struct Arg {
  Shape shape;
  Domain domain = Domain::normal;
};

struct OpCase {
  std::string name;  // unique: the op and what sets this row apart, e.g. "conv2d (2,3,8,8) stride 2"
  Group group;
  std::vector<Arg> args;
  Fn op;
  // The op written plainly over f64 inputs (tests/reference.h); empty where only a special
  // TEST_CASE can check the forward (dropout's statistics).
  Fn reference = {};
  Tol tol = Tol::exact;
  // CUDA's forward alone is bit-identical to the CPU's (one IEEE operation per element) even where
  // the class is looser because the gradients sum.
  bool exact_forward = false;
  Kinks kinks = Kinks::none;
  // On WGAN-GP's gradient-penalty path: the second-order check runs, on square(op), whose second
  // derivative involves op's own even where op is linear in an input.
  bool penalty_path = false;
  bool gradcheck = true;  // false: too large for central differences (forward and CUDA only)
  bool cuda = true;       // false: checked against CUDA elsewhere (named in the row's comment)
  std::vector<DType> dtypes = {DType::f32, DType::f64};
};

// Every row, in group order.
const std::vector<OpCase>& op_cases();

// The row's inputs in dtype dt, the same values every call.
Inputs make_inputs(const OpCase& row, DType dt);
// Elements of the first input per element of the output: the terms of each sum of a reduction.
std::int64_t summed_terms(const Inputs& inputs, const Tensor& output);

// An elementwise unary op: one kernel (UnaryOp) with a scalar parameter alpha. op_table.cpp makes
// each a row of Group::elementwise at shape (4, 5, 6); `bench` also times its kernel on 2^24
// elements as BM_unary<gg::UnaryOp::name> (BM_cuda_unary<...> on CUDA).
struct UnaryOpRow {
  const char* name;  // the UnaryOp's name
  UnaryOp kernel;
  double alpha;
  Tensor (*op)(const Tensor& x, double alpha);
  double (*reference)(double x, double alpha);
  Domain domain = Domain::normal;
  Tol tol = Tol::transcendental;  // the gradients' class; see exact_forward
  bool exact_forward = false;
  Kinks kinks = Kinks::none;
  bool penalty_path = false;
  bool bench = false;
};

inline constexpr UnaryOpRow kUnaryOps[] = {
    {.name = "neg", .kernel = UnaryOp::neg, .alpha = 0, .op = [](const Tensor& x, double) { return neg(x); },
     .reference = [](double x, double) { return -x; }, .exact_forward = true},
    {.name = "exp", .kernel = UnaryOp::exp, .alpha = 0, .op = [](const Tensor& x, double) { return exp(x); },
     .reference = [](double x, double) { return std::exp(x); }, .bench = true},
    {.name = "log", .kernel = UnaryOp::log, .alpha = 0, .op = [](const Tensor& x, double) { return log(x); },
     .reference = [](double x, double) { return std::log(x); }, .domain = Domain::positive},
    {.name = "sqrt", .kernel = UnaryOp::sqrt, .alpha = 0, .op = [](const Tensor& x, double) { return sqrt(x); },
     .reference = [](double x, double) { return std::sqrt(x); }, .domain = Domain::positive, .exact_forward = true,
     .penalty_path = true},
    {.name = "rsqrt", .kernel = UnaryOp::rsqrt, .alpha = 0, .op = [](const Tensor& x, double) { return rsqrt(x); },
     .reference = [](double x, double) { return 1 / std::sqrt(x); }, .domain = Domain::positive, .exact_forward = true,
     .penalty_path = true, .bench = true},
    {.name = "abs", .kernel = UnaryOp::abs, .alpha = 0, .op = [](const Tensor& x, double) { return abs(x); },
     .reference = [](double x, double) { return std::fabs(x); }, .exact_forward = true, .kinks = Kinks::at_zero},
    {.name = "square", .kernel = UnaryOp::square, .alpha = 0, .op = [](const Tensor& x, double) { return square(x); },
     .reference = [](double x, double) { return x * x; }, .exact_forward = true, .penalty_path = true},
    {.name = "pow", .kernel = UnaryOp::pow, .alpha = 1.7, .op = [](const Tensor& x, double a) { return pow(x, a); },
     .reference = [](double x, double a) { return std::pow(x, a); }, .domain = Domain::positive},
    {.name = "pow", .kernel = UnaryOp::pow, .alpha = 2.5, .op = [](const Tensor& x, double a) { return pow(x, a); },
     .reference = [](double x, double a) { return std::pow(x, a); }, .domain = Domain::positive},
    {.name = "relu", .kernel = UnaryOp::relu, .alpha = 0, .op = [](const Tensor& x, double) { return relu(x); },
     .reference = [](double x, double) { return x > 0 ? x : 0.0; }, .exact_forward = true, .kinks = Kinks::at_zero,
     .bench = true},
    {.name = "leaky_relu", .kernel = UnaryOp::leaky_relu, .alpha = 0.2,
     .op = [](const Tensor& x, double a) { return leaky_relu(x, a); },
     .reference = [](double x, double a) { return x > 0 ? x : a * x; }, .exact_forward = true, .kinks = Kinks::at_zero,
     .penalty_path = true, .bench = true},
    {.name = "scale", .kernel = UnaryOp::scale, .alpha = -3, .op = [](const Tensor& x, double a) { return mul(x, a); },
     .reference = [](double x, double a) { return a * x; }, .exact_forward = true, .penalty_path = true, .bench = true},
    {.name = "add_scalar", .kernel = UnaryOp::add_scalar, .alpha = 2.5,
     .op = [](const Tensor& x, double a) { return add(x, a); }, .reference = [](double x, double a) { return x + a; },
     .exact_forward = true, .penalty_path = true},
};

}  // namespace gg::op_table

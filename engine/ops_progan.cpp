// ProGAN's custom ops: shape checks, the fused kernels through the ProganKernels table, and
// backwards written so that they can be differentiated again (see engine/ops_progan.h).
#include "engine/ops_progan.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/op_utils.h"
#include "engine/progan_backend.h"

namespace gg {

using detail::be;
using Grads = std::vector<Tensor>;

namespace {

constexpr double kStdEps = 1e-8;  // minibatch stddev: inside the sqrt, as the official code

ProganKernels& kernels(const Tensor& t, const char* kernel) { return progan_kernels_for(t.device(), kernel); }

// ---- pixel norm ----

// d/dx [x r], r = (mean_c x^2 + eps)^(-1/2): r g - x r^3 mean_c(g x), from differentiable ops.
Tensor pixel_norm_backward_ops(const Tensor& x, const Tensor& g, double eps) {
  const Tensor r = rsqrt(add(mean(square(x), {1}, true), eps));
  const Tensor k = mul(mul(square(r), r), mean(mul(g, x), {1}, true));
  return sub(mul(g, r), mul(x, k));
}

// ---- minibatch stddev ----

int group_count(const char* op, const Tensor& x, int group_size) {
  detail::check_rank(op, x, 4, "input");
  if (group_size < 1) detail::fail(op, "group size " + std::to_string(group_size) + " must be >= 1");
  const auto g = static_cast<int>(std::min<std::int64_t>(group_size, x.size(0)));
  if (x.size(0) % g)
    detail::fail(op, "batch of " + std::to_string(x.size(0)) + " is not divisible by the group size " +
                         std::to_string(g));
  return g;
}

// x (N, C, H, W) as (G, M, C, H, W): d = x - group mean, sd = group std (1, M, C, H, W).
struct GroupDeviation {
  Tensor d, sd;
};

GroupDeviation group_deviation(const Tensor& x, int g) {
  const Tensor xg = reshape(x, {g, x.size(0) / g, x.size(1), x.size(2), x.size(3)});
  const Tensor d = sub(xg, mean(xg, {0}, true));
  return {d, sqrt(add(mean(square(d), {0}, true), kStdEps))};
}

// The gradient of minibatch stddev from differentiable ops: gy's first C channels, plus
// d s_m / d x = (x - mean) / (F G sd) times the appended channel's gradient summed over the group.
Tensor minibatch_stddev_backward_ops(const Tensor& x, const Tensor& gy, int g) {
  const std::int64_t n = x.size(0), c = x.size(1), m = n / g, f = c * x.size(2) * x.size(3);
  const GroupDeviation dev = group_deviation(x, g);
  const Tensor extra = reshape(slice(gy, 1, c, c + 1), {g, m, x.size(2) * x.size(3)});
  const Tensor coef = mul(reshape(sum(extra, {0, 2}), {1, m, 1, 1, 1}), 1.0 / static_cast<double>(f * g));
  return add(slice(gy, 1, 0, c), reshape(mul(div(dev.d, dev.sd), coef), x.shape()));
}

// ---- equalized conv2d / linear ----

// The bias has one value per output channel, or (linear only) per run of outputs.
void check_bias(const char* op, const Tensor& bias, const Tensor& weight, bool allow_runs) {
  detail::check_compatible(op, bias, weight);
  const bool fits = bias.dim() == 1 && bias.size(0) > 0 &&
                    (allow_runs ? weight.size(0) % bias.size(0) == 0 : bias.size(0) == weight.size(0));
  if (!fits) detail::fail(op, "bias " + shape_str(bias.shape()) + " does not fit weight " + shape_str(weight.shape()));
}

void check_conv(const Tensor& x, const Tensor& w, const Tensor& bias, const EqualizedOptions& opt) {
  const char* op = "equalized_conv2d";
  detail::check_rank(op, x, 4, "input");
  detail::check_rank(op, w, 4, "weight");
  detail::check_compatible(op, x, w);
  check_bias(op, bias, w, false);
  if (x.size(1) != w.size(1))
    detail::fail(op, "input " + shape_str(x.shape()) + " does not fit weight " + shape_str(w.shape()));
  if (w.size(2) != w.size(3) || w.size(2) % 2 == 0)
    detail::fail(op, "kernel of weight " + shape_str(w.shape()) + " must be square with an odd size");
  if (opt.downscale && (x.size(2) % 2 || x.size(3) % 2))
    detail::fail(op, "downscale needs an even height and width, got " + shape_str(x.shape()));
  if (opt.downscale && opt.upscale) detail::fail(op, "downscale and upscale exclude each other");
}

// The downscaled kernel's shapes: (..., k, k) -> (..., k + 1, k + 1), and back.
Shape with_kernel_size(Shape s, std::int64_t k) {
  s[s.size() - 1] = s[s.size() - 2] = k;
  return s;
}

void check_square_planes(const char* op, const Tensor& t, std::int64_t min_side) {
  detail::check_defined(op, t, "input");
  if (t.dim() < 2 || t.size(-1) != t.size(-2) || t.size(-1) < min_side)
    detail::fail(op, "input must be (..., k, k) with k >= " + std::to_string(min_side) + ", got " + shape_str(t.shape()));
}

// The upscale kernel's shapes: (K, C, k, k) -> (C, K, k + 1, k + 1), and back.
Shape with_swapped_channels(Shape s, std::int64_t k) {
  std::swap(s[0], s[1]);
  return with_kernel_size(s, k);
}

// The adjoints of the two kernels, (..., k + 1, k + 1) -> (..., k, k): each one's backward, and
// linear, so its own backward is the kernel again: differentiable to any order.
Tensor downscale_kernel_adjoint(const Tensor& g) {
  check_square_planes("downscale_kernel_adjoint", g, 2);
  Tensor gw = Tensor::empty(with_kernel_size(g.shape(), g.size(-1) - 1), g.options());
  kernels(g, "downscale_kernel_backward").resample_kernel_backward(g.detach(), gw, ResampleKernel::downscale);
  return record("downscale_kernel_adjoint", gw, {g}, [](Node&, const Tensor& gg) { return Grads{downscale_kernel(gg)}; });
}

Tensor upscale_kernel_adjoint(const Tensor& g) {
  check_square_planes("upscale_kernel_adjoint", g, 2);
  detail::check_rank("upscale_kernel_adjoint", g, 4, "input");
  Tensor gw = Tensor::empty(with_swapped_channels(g.shape(), g.size(-1) - 1), g.options());
  kernels(g, "upscale_kernel_backward").resample_kernel_backward(g.detach(), gw, ResampleKernel::upscale);
  return record("upscale_kernel_adjoint", gw, {g}, [](Node&, const Tensor& gg) { return Grads{upscale_kernel(gg)}; });
}

// The backward of act(scale * acc + bias) down to the GEMM's output acc: scale * g * act'(output),
// one pass over the activations. The bias's gradient is its sum over positions divided by scale.
Tensor gemm_output_grad(Node& n, const Tensor& g, bool leaky, double scale) {
  return leaky ? leaky_relu_backward(g, n.saved_output().detach(), kProganLeakySlope, scale) : mul(g, scale);
}

}  // namespace

Tensor pixel_norm(const Tensor& x, double eps) {
  detail::check_defined("pixel_norm", x, "input");
  if (x.dim() != 2 && x.dim() != 4)
    detail::fail("pixel_norm", "input must be (N, C) or (N, C, H, W), got " + shape_str(x.shape()));
  Tensor y = Tensor::empty(x.shape(), x.options());
  kernels(x, "pixel_norm_forward").pixel_norm_forward(x.detach(), y, eps);
  return record("pixel_norm", y, {x}, [eps](Node& n, const Tensor& g) {
    const Tensor& x = n.saved[0];
    if (GradMode::enabled()) return Grads{pixel_norm_backward_ops(x, g, eps)};
    Tensor gx = Tensor::empty(x.shape(), x.options());
    kernels(x, "pixel_norm_backward").pixel_norm_backward(x.detach(), g.detach(), gx, eps);
    return Grads{gx};
  }, {x});
}

Tensor minibatch_stddev(const Tensor& x, int group_size) {
  const int g = group_count("minibatch_stddev", x, group_size);
  Tensor y = Tensor::empty({x.size(0), x.size(1) + 1, x.size(2), x.size(3)}, x.options());
  kernels(x, "minibatch_stddev_forward").minibatch_stddev_forward(x.detach(), y, g);
  return record("minibatch_stddev", y, {x}, [g](Node& n, const Tensor& gy) {
    const Tensor& x = n.saved[0];
    if (GradMode::enabled()) return Grads{minibatch_stddev_backward_ops(x, gy, g)};
    Tensor gx = Tensor::empty(x.shape(), x.options());
    kernels(x, "minibatch_stddev_backward").minibatch_stddev_backward(x.detach(), gy.detach(), gx, g);
    return Grads{gx};
  }, {x});
}

Tensor downscale_kernel(const Tensor& w) {
  check_square_planes("downscale_kernel", w, 1);
  Tensor out = Tensor::empty(with_kernel_size(w.shape(), w.size(-1) + 1), w.options());
  kernels(w, "downscale_kernel_forward").resample_kernel_forward(w.detach(), out, ResampleKernel::downscale);
  return record("downscale_kernel", out, {w}, [](Node&, const Tensor& g) { return Grads{downscale_kernel_adjoint(g)}; });
}

Tensor upscale_kernel(const Tensor& w) {
  check_square_planes("upscale_kernel", w, 1);
  detail::check_rank("upscale_kernel", w, 4, "input");
  Tensor out = Tensor::empty(with_swapped_channels(w.shape(), w.size(-1) + 1), w.options());
  kernels(w, "upscale_kernel_forward").resample_kernel_forward(w.detach(), out, ResampleKernel::upscale);
  return record("upscale_kernel", out, {w}, [](Node&, const Tensor& g) { return Grads{upscale_kernel_adjoint(g)}; });
}

double equalized_scale(double gain, std::int64_t fan_in) { return gain / std::sqrt(static_cast<double>(fan_in)); }

Tensor equalized_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt) {
  check_conv(x, weight, bias, opt);
  const double scale = equalized_scale(opt.gain, weight.size(1) * weight.size(2) * weight.size(3));
  const bool up = opt.upscale;
  const Tensor kernel = up ? upscale_kernel(weight) : opt.downscale ? downscale_kernel(weight) : weight;
  const Conv2dOptions conv{up || opt.downscale ? 2 : 1, static_cast<int>(weight.size(2) / 2)};
  // With upscale, y is the input gradient of the stride-2 conv that maps (N, K, 2H, 2W) to x's shape.
  const std::int64_t channels = up ? weight.size(0) : x.size(1), side = up ? 2 : 1;
  const ConvGeometry geo = make_conv_geometry(x.size(0), channels, side * x.size(2), side * x.size(3), kernel.size(0),
                                              kernel.size(2), kernel.size(3), conv.stride, conv.padding);
  Tensor y;
  if (up) {
    y = Tensor::empty({geo.n, geo.c, geo.h, geo.w}, x.options());
    be(x).conv2d_backward_input(x.detach(), kernel.detach(), y, geo);
  } else {
    y = Tensor::empty({geo.n, geo.k, geo.p, geo.q}, x.options());
    be(x).conv2d_forward(x.detach(), kernel.detach(), y, geo);
  }
  kernels(y, "scale_bias_activate").scale_bias_activate(y, bias.detach(), scale, opt.leaky_relu, kProganLeakySlope);
  // y = D(x, kernel) with upscale, else F(x, kernel); both bilinear (see conv2d_backward_input).
  return record("equalized_conv2d", y, {x, kernel, bias},
                [scale, conv, up, leaky = opt.leaky_relu](Node& n, const Tensor& g) {
                  const Tensor &x = n.saved[0], &kernel = n.saved[1];
                  const Tensor ga = gemm_output_grad(n, g, leaky, scale);
                  Tensor gx, gk;
                  if (n.needs_grad(0))
                    gx = up ? conv2d(ga, kernel, {}, conv) : conv2d_backward_input(ga, kernel, x.shape(), conv);
                  if (n.needs_grad(1))
                    gk = up ? conv2d_backward_weight(ga, x, kernel.shape(), conv)
                            : conv2d_backward_weight(x, ga, kernel.shape(), conv);
                  return Grads{gx, gk, n.needs_grad(2) ? mul(sum(ga, {0, 2, 3}), 1 / scale) : Tensor()};
                }, {x, kernel}, opt.leaky_relu);
}

Tensor equalized_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt) {
  const char* op = "equalized_linear";
  detail::check_rank(op, x, 2, "input");
  detail::check_rank(op, weight, 2, "weight");
  detail::check_compatible(op, x, weight);
  check_bias(op, bias, weight, true);
  if (x.size(1) != weight.size(1))
    detail::fail(op, "input " + shape_str(x.shape()) + " does not fit weight " + shape_str(weight.shape()));
  if (opt.downscale || opt.upscale) detail::fail(op, "downscale and upscale apply to equalized_conv2d only");
  const double scale = equalized_scale(opt.gain, weight.size(1));
  const std::int64_t batch = x.size(0), out = weight.size(0), runs = bias.size(0);
  Tensor y = Tensor::empty({batch, out}, x.options());
  be(x).gemm(false, true, batch, out, x.size(1), 1.0, x.detach(), weight.detach(), 0.0, y);
  kernels(y, "scale_bias_activate")
      .scale_bias_activate(y.reshape({batch, runs, out / runs}), bias.detach(), scale, opt.leaky_relu, kProganLeakySlope);
  return record("equalized_linear", y, {x, weight, bias}, [scale, runs, leaky = opt.leaky_relu](Node& n, const Tensor& g) {
    const Tensor &x = n.saved[0], &w = n.saved[1];
    const Tensor ga = gemm_output_grad(n, g, leaky, scale);
    return Grads{n.needs_grad(0) ? matmul(ga, w) : Tensor(), n.needs_grad(1) ? matmul(ga, x, true, false) : Tensor(),
                 n.needs_grad(2) ? mul(sum(reshape(ga, {g.size(0), runs, -1}), {0, 2}), 1 / scale) : Tensor()};
  }, {x, weight}, opt.leaky_relu);
}

Tensor fade_in(double alpha, const Tensor& old_branch, const Tensor& new_branch) {
  detail::check_compatible("fade_in", old_branch, new_branch);
  if (old_branch.shape() != new_branch.shape())
    detail::fail("fade_in", "old branch " + shape_str(old_branch.shape()) + " and new branch " +
                                shape_str(new_branch.shape()) + " differ (resample the old branch first)");
  if (!(alpha >= 0 && alpha <= 1)) detail::fail("fade_in", "alpha " + std::to_string(alpha) + " is outside [0, 1]");
  Tensor out = Tensor::empty(new_branch.shape(), new_branch.options());
  kernels(out, "fade_in").fade_in(old_branch.detach(), new_branch.detach(), out, alpha);
  return record("fade_in", out, {old_branch, new_branch}, [alpha](Node& n, const Tensor& g) {
    return Grads{n.needs_grad(0) ? mul(g, 1 - alpha) : Tensor(), n.needs_grad(1) ? mul(g, alpha) : Tensor()};
  });
}

Tensor leaky_relu_backward(const Tensor& grad, const Tensor& output, double slope, double scale) {
  detail::check_compatible("leaky_relu_backward", grad, output);
  if (grad.shape() != output.shape())
    detail::fail("leaky_relu_backward", "gradient " + shape_str(grad.shape()) + " and output " +
                                            shape_str(output.shape()) + " differ");
  Tensor gz = Tensor::empty(grad.shape(), grad.options());
  kernels(grad, "leaky_relu_backward").leaky_relu_backward(grad.detach(), output.detach(), gz, slope, scale);
  // Linear in grad with a constant mask, so its backward is itself.
  return record("leaky_relu_backward", gz, {grad}, [slope, scale](Node& n, const Tensor& h) {
    return Grads{leaky_relu_backward(h, n.saved[0], slope, scale)};
  }, {output.detach()});
}

namespace unfused {

Tensor pixel_norm(const Tensor& x, double eps) { return mul(x, rsqrt(add(mean(square(x), {1}, true), eps))); }

Tensor minibatch_stddev(const Tensor& x, int group_size) {
  const int g = group_count("unfused::minibatch_stddev", x, group_size);
  const std::int64_t n = x.size(0), m = n / g, h = x.size(2), w = x.size(3);
  const Tensor s = mean(group_deviation(x, g).sd, {2, 3, 4}, true);  // (1, M, 1, 1, 1)
  const Tensor channel = reshape(broadcast_to(s, {g, m, 1, h, w}), {n, 1, h, w});
  return concat({x, channel}, 1);
}

Tensor equalized_conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt) {
  const double scale = equalized_scale(opt.gain, weight.size(1) * weight.size(2) * weight.size(3));
  const Tensor input = opt.upscale ? upsample_nearest2x(x) : x;
  Tensor y = mul(conv2d(input, weight, {}, {1, static_cast<int>(weight.size(2) / 2)}), scale);
  if (opt.downscale) y = avg_pool2x2(y);
  y = add(y, bias.reshape({1, bias.size(0), 1, 1}));
  return opt.leaky_relu ? leaky_relu(y, kProganLeakySlope) : y;
}

Tensor equalized_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, EqualizedOptions opt) {
  const Tensor z = mul(matmul(x, weight, false, true), equalized_scale(opt.gain, weight.size(1)));
  const std::int64_t runs = bias.size(0);
  const Tensor y = reshape(add(reshape(z, {x.size(0), runs, -1}), bias.reshape({1, runs, 1})), z.shape());
  return opt.leaky_relu ? leaky_relu(y, kProganLeakySlope) : y;
}

Tensor fade_in(double alpha, const Tensor& old_branch, const Tensor& new_branch) {
  return lerp(old_branch, new_branch, alpha);
}

namespace {

// w padded by one zero on each side of its last two dims, then neighbours summed along the rows
// and then the columns: the sums over the four 2x2 shifts.
Tensor shift_sums(const Tensor& w) {
  auto zero_padded = [](const Tensor& t, int dim) {
    Shape edge = t.shape();
    edge[static_cast<std::size_t>(dim)] = 1;
    const Tensor zero = Tensor::zeros(edge, t.options());
    return concat({zero, t, zero}, dim);
  };
  auto neighbour_sums = [](const Tensor& t, int dim) {
    const std::int64_t n = t.size(dim) - 1;
    return add(slice(t, dim, 0, n), slice(t, dim, 1, n + 1));
  };
  const int rows = w.dim() - 2, columns = w.dim() - 1;
  const Tensor padded = zero_padded(zero_padded(w, rows), columns);
  return neighbour_sums(neighbour_sums(padded, rows), columns);
}

// t in reverse order along dim, one slice per index.
Tensor flipped(const Tensor& t, int dim) {
  std::vector<Tensor> parts;
  for (std::int64_t i = t.size(dim); i-- > 0;) parts.push_back(slice(t, dim, i, i + 1));
  return concat(parts, dim);
}

// (A, B, ...) -> (B, A, ...), one slice per index of B.
Tensor channel_axes_swapped(const Tensor& t) {
  std::vector<Tensor> parts;
  Shape row = t.shape();
  row[1] = row[0];
  row[0] = 1;
  for (std::int64_t b = 0; b < t.size(1); ++b) parts.push_back(reshape(slice(t, 1, b, b + 1), row));
  return concat(parts, 0);
}

}  // namespace

Tensor downscale_kernel(const Tensor& w) { return mul(shift_sums(w), 0.25); }

Tensor upscale_kernel(const Tensor& w) {
  const Tensor sums = shift_sums(w);
  return channel_axes_swapped(flipped(flipped(sums, w.dim() - 2), w.dim() - 1));
}

}  // namespace unfused

}  // namespace gg

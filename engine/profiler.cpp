#include "engine/profiler.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "engine/backend.h"
#include "engine/progan_backend.h"

namespace gg {

namespace {

std::atomic<bool> g_enabled{false};
std::mutex g_mutex;  // the data prefetch thread allocates and copies too
std::map<std::string, KernelTime> g_totals;
std::map<std::string, KernelTime> g_details;  // keyed "<kernel> <detail>"

// Times one call: construct before it, destroy after it. With a detail (a shape), the call is also
// counted per shape.
class ScopedKernelTimer {
 public:
  explicit ScopedKernelTimer(const char* name, std::string detail = {}, double flops = 0)
      : name_(name), detail_(std::move(detail)), flops_(flops), start_(std::chrono::steady_clock::now()) {}
  ~ScopedKernelTimer() {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    KernelProfiler::add(name_, seconds);
    if (!detail_.empty()) KernelProfiler::add_detail(name_, detail_, seconds, flops_);
  }
  ScopedKernelTimer(const ScopedKernelTimer&) = delete;
  ScopedKernelTimer& operator=(const ScopedKernelTimer&) = delete;

 private:
  const char* name_;
  std::string detail_;
  double flops_;
  std::chrono::steady_clock::time_point start_;
};

// A convolution's shape: "n16 256->128 @32x32 3x3/1 p1" (batch, channels in and out, input size,
// kernel / stride, padding).
std::string conv_shape(const ConvGeometry& g) {
  return fmt::format("n{} {}->{} @{}x{} {}x{}/{} p{}", g.n, g.c, g.k, g.h, g.w, g.r, g.s, g.stride, g.pad);
}

// A matrix product's shape: "16x4096x512 NT" (m, n, k; A and B transposed or not).
std::string gemm_shape(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k) {
  return fmt::format("{}x{}x{} {}{}", m, n, k, trans_a ? 'T' : 'N', trans_b ? 'T' : 'N');
}

// A forwarding call inside a timer named after the kernel.
#define GG_TIMED(name, call)      \
  ScopedKernelTimer timer_(name); \
  return in_.call
// The same, counted per convolution shape too (each pass does the forward's FLOPs).
#define GG_TIMED_CONV(name, g, call)                             \
  ScopedKernelTimer timer_(name, conv_shape(g), (g).flops()); \
  return in_.call

// Forwards every call to the wrapped backend, timed.
class ProfilingBackend final : public Backend {
 public:
  explicit ProfilingBackend(Backend& inner) : in_(inner) {}

  void* allocate(std::size_t bytes) override { GG_TIMED("allocate", allocate(bytes)); }
  void deallocate(void* p, std::size_t bytes) override { GG_TIMED("deallocate", deallocate(p, bytes)); }
  void copy_from_host(void* d, const void* s, std::size_t n) override { GG_TIMED("copy", copy_from_host(d, s, n)); }
  void copy_to_host(void* d, const void* s, std::size_t n) override { GG_TIMED("copy", copy_to_host(d, s, n)); }
  void copy(void* d, const void* s, std::size_t n) override { GG_TIMED("copy", copy(d, s, n)); }
  void fill(const Tensor& t, double v) override { GG_TIMED("fill", fill(t, v)); }
  void convert(const Tensor& s, const Tensor& d) override { GG_TIMED("convert", convert(s, d)); }
  void unary(UnaryOp op, const Tensor& x, const Tensor& y, double a) override { GG_TIMED("unary", unary(op, x, y, a)); }
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& o) override {
    GG_TIMED("binary", binary(op, a, b, o));
  }
  void expand(const Tensor& x, const Tensor& o) override { GG_TIMED("expand", expand(x, o)); }
  void sum_reduce(const Tensor& x, const Tensor& o) override { GG_TIMED("sum_reduce", sum_reduce(x, o)); }
  void copy_rows(const Tensor& s, std::int64_t ss, std::int64_t so, const Tensor& d, std::int64_t ds,
                 std::int64_t dof, std::int64_t rows, std::int64_t len) override {
    GG_TIMED("copy_rows", copy_rows(s, ss, so, d, ds, dof, rows, len));
  }
  void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, double alpha, const Tensor& a,
            const Tensor& b, double beta, const Tensor& c) override {
    ScopedKernelTimer timer_("gemm", gemm_shape(ta, tb, m, n, k), 2.0 * static_cast<double>(m) * n * k);
    in_.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  }
  void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g) override {
    GG_TIMED_CONV("conv2d_forward", g, conv2d_forward(x, w, y, g));
  }
  void conv2d_backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g) override {
    GG_TIMED_CONV("conv2d_backward_input", g, conv2d_backward_input(gy, w, gx, g));
  }
  void conv2d_backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g) override {
    GG_TIMED_CONV("conv2d_backward_weight", g, conv2d_backward_weight(x, gy, gw, g));
  }
  void upsample_nearest2x(const Tensor& x, const Tensor& y) override { GG_TIMED("upsample_nearest2x", upsample_nearest2x(x, y)); }
  void avg_pool2x2(const Tensor& x, const Tensor& y) override { GG_TIMED("avg_pool2x2", avg_pool2x2(x, y)); }
  void max_pool2x2(const Tensor& x, const Tensor& y, const Tensor& m) override { GG_TIMED("max_pool2x2", max_pool2x2(x, y, m)); }
  void max_pool2x2_backward(const Tensor& g, const Tensor& m, const Tensor& gx) override {
    GG_TIMED("max_pool2x2_backward", max_pool2x2_backward(g, m, gx));
  }
  void log_softmax(const Tensor& x, const Tensor& y) override { GG_TIMED("log_softmax", log_softmax(x, y)); }
  void batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y, const Tensor& mean,
                          const Tensor& var, const Tensor& invstd, double eps, bool relu) override {
    GG_TIMED("batch_norm_forward", batch_norm_forward(x, gamma, beta, y, mean, var, invstd, eps, relu));
  }
  void batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& y, bool relu) override {
    GG_TIMED("batch_norm_inference", batch_norm_inference(x, scale, shift, y, relu));
  }
  void batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                           const Tensor& invstd, const Tensor& gx, const Tensor& ggamma, const Tensor& gbeta,
                           bool relu) override {
    GG_TIMED("batch_norm_backward", batch_norm_backward(x, gy, gamma, beta, mean, invstd, gx, ggamma, gbeta, relu));
  }
  void random_uniform(const Tensor& t, std::uint64_t s, std::uint64_t o, double lo, double hi) override {
    GG_TIMED("random", random_uniform(t, s, o, lo, hi));
  }
  void random_normal(const Tensor& t, std::uint64_t s, std::uint64_t o, double m, double sd) override {
    GG_TIMED("random", random_normal(t, s, o, m, sd));
  }
  void dropout_mask(const Tensor& t, std::uint64_t s, std::uint64_t o, double p) override {
    GG_TIMED("random", dropout_mask(t, s, o, p));
  }
  void sgd_step(const Tensor& p, const Tensor& g, const Tensor& m, const SgdHyper& h) override {
    GG_TIMED("optimizer", sgd_step(p, g, m, h));
  }
  void adam_step(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamHyper& h) override {
    GG_TIMED("optimizer", adam_step(p, g, m, v, h));
  }

 private:
  Backend& in_;
};

// The same for ProGAN's kernel family.
class ProfilingProganKernels final : public ProganKernels {
 public:
  explicit ProfilingProganKernels(ProganKernels& inner) : in_(inner) {}

  void pixel_norm_forward(const Tensor& x, const Tensor& y, double eps) override {
    GG_TIMED("pixel_norm_forward", pixel_norm_forward(x, y, eps));
  }
  void pixel_norm_backward(const Tensor& x, const Tensor& g, const Tensor& gx, double eps) override {
    GG_TIMED("pixel_norm_backward", pixel_norm_backward(x, g, gx, eps));
  }
  void minibatch_stddev_forward(const Tensor& x, const Tensor& y, int group) override {
    GG_TIMED("minibatch_stddev_forward", minibatch_stddev_forward(x, y, group));
  }
  void minibatch_stddev_backward(const Tensor& x, const Tensor& gy, const Tensor& gx, int group) override {
    GG_TIMED("minibatch_stddev_backward", minibatch_stddev_backward(x, gy, gx, group));
  }
  void scale_bias_activate(const Tensor& y, const Tensor& bias, double scale, bool leaky, double slope) override {
    GG_TIMED("scale_bias_activate", scale_bias_activate(y, bias, scale, leaky, slope));
  }
  void leaky_relu_backward(const Tensor& g, const Tensor& y, const Tensor& gz, double slope, double scale) override {
    GG_TIMED("leaky_relu_backward", leaky_relu_backward(g, y, gz, slope, scale));
  }
  void fade_in(const Tensor& old_branch, const Tensor& new_branch, const Tensor& out, double alpha) override {
    GG_TIMED("fade_in", fade_in(old_branch, new_branch, out, alpha));
  }
  void resample_kernel_forward(const Tensor& w, const Tensor& out, ResampleKernel kind) override {
    GG_TIMED(kind == ResampleKernel::upscale ? "upscale_kernel_forward" : "downscale_kernel_forward",
             resample_kernel_forward(w, out, kind));
  }
  void resample_kernel_backward(const Tensor& g, const Tensor& gw, ResampleKernel kind) override {
    GG_TIMED(kind == ResampleKernel::upscale ? "upscale_kernel_backward" : "downscale_kernel_backward",
             resample_kernel_backward(g, gw, kind));
  }
#undef GG_TIMED
#undef GG_TIMED_CONV

 private:
  ProganKernels& in_;
};

}  // namespace

void KernelProfiler::set_enabled(bool on) { g_enabled = on; }
bool KernelProfiler::enabled() { return g_enabled; }

void KernelProfiler::reset() {
  std::lock_guard lock(g_mutex);
  g_totals.clear();
  g_details.clear();
}

void KernelProfiler::add(const char* kernel, double seconds) {
  std::lock_guard lock(g_mutex);
  KernelTime& t = g_totals[kernel];
  t.name = kernel;
  ++t.calls;
  t.seconds += seconds;
}

void KernelProfiler::add_detail(const char* kernel, const std::string& detail, double seconds, double flops) {
  std::string name = std::string(kernel) + " " + detail;
  std::lock_guard lock(g_mutex);
  KernelTime& t = g_details[name];
  if (t.name.empty()) t.name = std::move(name);
  ++t.calls;
  t.seconds += seconds;
  t.flops += flops;
}

namespace {

std::vector<KernelTime> sorted_rows(const std::map<std::string, KernelTime>& rows) {
  std::vector<KernelTime> out;
  {
    std::lock_guard lock(g_mutex);
    for (const auto& [name, t] : rows) out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const KernelTime& a, const KernelTime& b) { return a.seconds > b.seconds; });
  return out;
}

}  // namespace

std::vector<KernelTime> KernelProfiler::totals() { return sorted_rows(g_totals); }
std::vector<KernelTime> KernelProfiler::detail_totals() { return sorted_rows(g_details); }

std::string KernelProfiler::table() {
  const std::vector<KernelTime> rows = totals();
  double total = 0;
  for (const KernelTime& r : rows) total += r.seconds;
  auto share = [&](double seconds) { return total > 0 ? 100 * seconds / total : 0.0; };
  std::string out = fmt::format("{:<26} {:>9} {:>12} {:>7}\n", "kernel", "calls", "ms", "share");
  for (const KernelTime& r : rows)
    out += fmt::format("{:<26} {:>9} {:>12.1f} {:>6.1f}%\n", r.name, r.calls, 1e3 * r.seconds, share(r.seconds));
  out += fmt::format("{:<26} {:>9} {:>12.1f}\n", "total", "", 1e3 * total);
  const std::vector<KernelTime> details = detail_totals();
  if (details.empty()) return out;
  out += fmt::format("\n{:<56} {:>9} {:>12} {:>7} {:>9}\n", "kernel and shape", "calls", "ms", "share", "GFLOP/s");
  for (const KernelTime& r : details)
    out += fmt::format("{:<56} {:>9} {:>12.1f} {:>6.1f}% {:>9.1f}\n", r.name, r.calls, 1e3 * r.seconds, share(r.seconds),
                       r.seconds > 0 ? 1e-9 * r.flops / r.seconds : 0.0);
  return out;
}

Backend& profiled_cpu_backend() {
  static ProfilingBackend profiled(cpu_backend());
  return profiled;
}

ProganKernels& profiled_cpu_progan_kernels() {
  static ProfilingProganKernels profiled(cpu_progan_kernels());
  return profiled;
}

}  // namespace gg

// Unary, binary (broadcasting) and expand kernels.
#include <type_traits>

#include "kernels/common/broadcast.h"
#include "kernels/common/elementwise_math.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/parallel.h"

namespace gg {

namespace {

// The innermost loop, specialised on whether each operand moves, so the compiler vectorises it.
template <BinaryOp Op, typename T>
void binary_row(const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, std::int64_t n) {
  if (sa == 1 && sb == 1) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_apply<Op>(a[i], b[i]);
  } else if (sa == 1) {
    const T bv = b[0];
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_apply<Op>(a[i], bv);
  } else if (sb == 1) {
    const T av = a[0];
    for (std::int64_t i = 0; i < n; ++i) out[i] = binary_apply<Op>(av, b[i]);
  } else {
    const T v = binary_apply<Op>(a[0], b[0]);
    for (std::int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

// Calls row(out_offset, a_offset, b_offset, length) over the plan. Rows are cut into pieces so
// that a plan with few long rows (same-shape operands collapse to one row) still uses every core.
template <typename Row>
void for_each_row(const BroadcastPlan& plan, Row&& row) {
  const std::int64_t inner = plan.inner();
  const std::int64_t piece = std::min(inner, cpu::kElementwiseGrain);
  const std::int64_t pieces_per_row = (inner + piece - 1) / piece;
  cpu::parallel_for(plan.rows() * pieces_per_row, std::max<std::int64_t>(1, cpu::kElementwiseGrain / piece),
                    [&](std::int64_t begin, std::int64_t end) {
                      for (std::int64_t t = begin; t < end; ++t) {
                        const std::int64_t r = t / pieces_per_row, start = (t % pieces_per_row) * piece;
                        std::int64_t off_a, off_b;
                        plan.row_offsets(r, off_a, off_b);
                        row(r * inner + start, off_a, off_b, start, std::min(piece, inner - start));
                      }
                    });
}

}  // namespace

void CpuBackend::unary(UnaryOp op, const Tensor& x, const Tensor& y, double alpha) {
  dispatch_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* py = y.data<T>();
    const T a = static_cast<T>(alpha);
    dispatch_unary(op, [&](auto kind) {
      cpu::parallel_for(x.numel(), cpu::kElementwiseGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) py[i] = unary_apply<decltype(kind)::value>(px[i], a);
      });
    });
  });
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), a.shape(), b.shape());
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    const std::int64_t sa = plan.stride_a[plan.rank - 1], sb = plan.stride_b[plan.rank - 1];
    dispatch_binary(op, [&](auto kind) {
      for_each_row(plan, [&](std::int64_t out_off, std::int64_t off_a, std::int64_t off_b, std::int64_t start,
                             std::int64_t len) {
        binary_row<decltype(kind)::value>(pa + off_a + start * sa, sa, pb + off_b + start * sb, sb, po + out_off, len);
      });
    });
  });
}

void CpuBackend::expand(const Tensor& x, const Tensor& out) {
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), x.shape(), x.shape());
  dispatch_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const std::int64_t sx = plan.stride_a[plan.rank - 1];
    for_each_row(plan, [&](std::int64_t out_off, std::int64_t off_x, std::int64_t, std::int64_t start, std::int64_t len) {
      const T* src = px + off_x + start * sx;
      T* dst = po + out_off;
      if (sx == 1)
        std::copy(src, src + len, dst);
      else
        std::fill(dst, dst + len, src[0]);
    });
  });
}

}  // namespace gg

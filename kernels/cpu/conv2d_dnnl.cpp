// oneDNN convolutions for the CPU backend (see conv2d_dnnl.h).
//
// Every pass reads two operands and writes one: forward (x, w) -> y, backward data (gy, w) -> gx,
// backward weights (x, gy) -> gw. A Plan holds the primitive and, for each operand whose plain
// layout is not the one the primitive wants, the reorder into (or, for the result, out of) that
// layout. Operands in a wanted layout live as storage twins (kernels/cpu/dnnl_twin.h): an input
// whose twin already has it is read as it is, else it is reordered into a new twin that stays for
// the next convolution to read (the weight gradient reads the forward's input again); the result
// is left as a sole twin, written back to NCHW only when plain code reads it. Views that do not
// cover their storage go through per-thread scratch instead. The scratchpad is ours too (user
// mode).
#include "kernels/cpu/conv2d_dnnl.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/conv2d_scratch.h"
#include "kernels/cpu/dnnl_twin.h"

namespace gg::cpu::dnnl_conv {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Scratch slots: 0 and 1 the blocked copies of the operands, 2 the result's, 3 the scratchpad.
constexpr std::size_t kResultSlot = 2, kScratchpadSlot = 3;

struct Plan {
  dnnl::primitive conv;
  std::array<int, 3> arg{};                   // oneDNN argument ids: operand 0, operand 1, result
  std::array<memory::desc, 3> plain, wanted;  // the caller's layout and the primitive's
  std::array<std::optional<dnnl::reorder>, 3> reorder;  // where they differ
  memory::desc scratchpad;
};

struct Dims {
  memory::dims src, weights, dst, strides, pad_l, pad_r;
};

Dims dims(const ConvGeometry& g) {
  return {{g.n, g.c, g.h, g.w},
          {g.k, g.c, g.r, g.s},
          {g.n, g.k, g.p, g.q},
          {g.stride, g.stride},
          {g.pad, g.pad},
          {(g.p - 1) * g.stride + g.r - g.h - g.pad, (g.q - 1) * g.stride + g.s - g.w - g.pad}};
}

memory::desc md(const memory::dims& d, Tag tag) { return memory::desc(d, memory::data_type::f32, tag); }

Plan make_plan(const ConvGeometry& g, ConvPass pass, bool blocked) {
  const Dims d = dims(g);
  const Tag act = blocked ? Tag::any : Tag::nchw, wei = blocked ? Tag::any : Tag::oihw;
  const memory::desc src = md(d.src, act), weights = md(d.weights, wei), dst = md(d.dst, act);
  const memory::desc plain_src = md(d.src, Tag::nchw), plain_weights = md(d.weights, Tag::oihw),
                     plain_dst = md(d.dst, Tag::nchw);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;
  // The backward passes need the forward's description as a hint.
  const dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src, weights, dst, d.strides, d.pad_l,
                                      d.pad_r),
      attr, dnnl_cpu_engine());
  Plan plan;
  switch (pass) {
    case ConvPass::kForward:
      plan.conv = dnnl::convolution_forward(fwd);
      plan.arg = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
      plan.plain = {plain_src, plain_weights, plain_dst};
      plan.wanted = {fwd.src_desc(), fwd.weights_desc(), fwd.dst_desc()};
      plan.scratchpad = fwd.scratchpad_desc();
      break;
    case ConvPass::kBackwardInput: {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(algo, src, weights, dst, d.strides, d.pad_l, d.pad_r), attr,
          dnnl_cpu_engine(), fwd);
      plan.conv = dnnl::convolution_backward_data(pd);
      plan.arg = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
      plan.plain = {plain_dst, plain_weights, plain_src};
      plan.wanted = {pd.diff_dst_desc(), pd.weights_desc(), pd.diff_src_desc()};
      plan.scratchpad = pd.scratchpad_desc();
      break;
    }
    case ConvPass::kBackwardWeight: {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(algo, src, weights, dst, d.strides, d.pad_l, d.pad_r), attr,
          dnnl_cpu_engine(), fwd);
      plan.conv = dnnl::convolution_backward_weights(pd);
      plan.arg = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS};
      plan.plain = {plain_src, plain_dst, plain_weights};
      plan.wanted = {pd.src_desc(), pd.diff_dst_desc(), pd.diff_weights_desc()};
      plan.scratchpad = pd.scratchpad_desc();
      break;
    }
  }
  for (std::size_t i = 0; i < 3; ++i) {
    if (plan.plain[i] == plan.wanted[i]) continue;
    plan.reorder[i] = i == kResultSlot ? dnnl::reorder(dnnl::reorder::primitive_desc(dnnl_cpu_engine(), plan.wanted[i], dnnl_cpu_engine(), plan.plain[i]))
                             : dnnl::reorder(dnnl::reorder::primitive_desc(dnnl_cpu_engine(), plan.plain[i], dnnl_cpu_engine(), plan.wanted[i]));
  }
  return plan;
}

// Plans by geometry, pass, layout and thread count (oneDNN sizes its work split by the latter),
// never evicted: a training run meets a few dozen geometries.
using PlanKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                           std::int64_t, int, int, int, bool, int>;

const Plan& plan_for(const ConvGeometry& g, ConvPass pass, bool blocked) {
  static std::mutex mutex;
  static std::map<PlanKey, std::unique_ptr<Plan>> plans;
  const PlanKey key{g.n, g.c, g.h, g.w, g.k, g.r, g.s, g.stride, g.pad, static_cast<int>(pass), blocked, omp_get_max_threads()};
  std::lock_guard lock(mutex);
  std::unique_ptr<Plan>& plan = plans[key];
  if (!plan) plan = std::make_unique<Plan>(make_plan(g, pass, blocked));
  return *plan;  // plans are never erased, so the reference outlives the lock
}

// Whether operand i lives as a twin: activations and their gradients do, from one convolution to
// the next; weights stay in scratch, since a twin of them would last only until the next pass
// wants them in another layout, and a fresh buffer each time costs more than a warm one.
bool twinned(const Plan& plan, std::size_t i) {
  return dnnl_twins_enabled() && plan.arg[i] != DNNL_ARG_WEIGHTS && plan.arg[i] != DNNL_ARG_DIFF_WEIGHTS;
}

// Binds input i of the plan to the layout the primitive wants: its twin (`twin`, t's or null), a
// new twin or scratch.
memory bind_input(const Plan& plan, std::size_t i, const Tensor& t, const DnnlTwin* twin, dnnl::stream& stream) {
  if (!plan.reorder[i]) return memory(plan.plain[i], dnnl_cpu_engine(), t.raw_data());
  if (twin && twin->desc() == plan.wanted[i]) return memory(plan.wanted[i], dnnl_cpu_engine(), twin->data());
  memory plain(plan.plain[i], dnnl_cpu_engine(), t.raw_data());  // first: this drops a twin of another layout
  void* blocked = twinned(plan, i) && whole_storage(t)
                      ? attach_dnnl_twin(t, plan.wanted[i], /*plain_current=*/true).data()
                      : conv_scratch().get(i, plan.wanted[i].get_size());
  memory used(plan.wanted[i], dnnl_cpu_engine(), blocked);
  plan.reorder[i]->execute(stream, plain, used);
  return used;
}

void execute(const ConvGeometry& g, ConvPass pass, bool blocked, const Tensor& in0, const Tensor& in1,
             const Tensor& out) {
  const Plan& plan = plan_for(g, pass, blocked);
  thread_local dnnl::stream stream(dnnl_cpu_engine());
  // The inputs' twins, held through the call even if the other input's binding (the same storage)
  // replaces them.
  const std::array<std::shared_ptr<const DnnlTwin>, 2> held = {dnnl_twin(in0), dnnl_twin(in1)};
  std::unordered_map<int, memory> args;
  args.emplace(plan.arg[0], bind_input(plan, 0, in0, held[0].get(), stream));
  args.emplace(plan.arg[1], bind_input(plan, 1, in1, held[1].get(), stream));
  const bool result_in_twin = plan.reorder[kResultSlot] && twinned(plan, kResultSlot) && whole_storage(out);
  memory result =
      !plan.reorder[kResultSlot] ? memory(plan.plain[kResultSlot], dnnl_cpu_engine(), out.raw_data())
      : result_in_twin
          ? memory(plan.wanted[kResultSlot], dnnl_cpu_engine(),
                   attach_dnnl_twin(out, plan.wanted[kResultSlot], /*plain_current=*/false).data())
          : memory(plan.wanted[kResultSlot], dnnl_cpu_engine(),
                   conv_scratch().get(kResultSlot, plan.wanted[kResultSlot].get_size()));
  args.emplace(plan.arg[kResultSlot], result);
  if (plan.scratchpad.get_size() > 0)
    args.emplace(DNNL_ARG_SCRATCHPAD, memory(plan.scratchpad, dnnl_cpu_engine(),
                                             conv_scratch().get(kScratchpadSlot, plan.scratchpad.get_size())));
  plan.conv.execute(stream, args);
  if (plan.reorder[kResultSlot] && !result_in_twin) {
    memory plain(plan.plain[kResultSlot], dnnl_cpu_engine(), out.raw_data());
    plan.reorder[kResultSlot]->execute(stream, result, plain);
  }
  stream.wait();
}

}  // namespace

bool supports(const ConvGeometry& g) {
  const Dims d = dims(g);
  return d.pad_r[0] >= 0 && d.pad_r[1] >= 0;
}

void forward(const Tensor& x, const Tensor& w, const Tensor& y, const ConvGeometry& g, bool blocked) {
  execute(g, ConvPass::kForward, blocked, x, w, y);
}

void backward_input(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeometry& g, bool blocked) {
  execute(g, ConvPass::kBackwardInput, blocked, gy, w, gx);
}

void backward_weight(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeometry& g, bool blocked) {
  execute(g, ConvPass::kBackwardWeight, blocked, x, gy, gw);
}

}  // namespace gg::cpu::dnnl_conv

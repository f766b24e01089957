// oneDNN twins of storages (kernels/cpu/dnnl_twin.h) and the channel-blocked views of them
// (kernels/cpu/blocked_layout.h).
#include "kernels/cpu/dnnl_twin.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/cpu_backend.h"

namespace gg::cpu {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc f32_desc(const memory::dims& dims, Tag tag) { return memory::desc(dims, memory::data_type::f32, tag); }

// The plain row-major layout of a 4-D desc's dims (NCHW and OIHW alike).
memory::desc plain_of(const memory::desc& desc) { return f32_desc(desc.dims(), Tag::abcd); }

// Reorders from a twin's layout to plain, one per layout met, kept for the process's life.
const dnnl::reorder& to_plain_reorder(const memory::desc& from) {
  static std::mutex mutex;
  static std::vector<std::pair<memory::desc, std::unique_ptr<dnnl::reorder>>> reorders;
  std::lock_guard lock(mutex);
  for (const auto& [desc, reorder] : reorders)
    if (desc == from) return *reorder;
  reorders.emplace_back(from, std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(
                                  dnnl_cpu_engine(), from, dnnl_cpu_engine(), plain_of(from))));
  return *reorders.back().second;
}

// The channel block of an (N, C, H, W) desc in nChw16c or nChw8c, else 0.
int channel_block(const memory::desc& desc) {
  if (desc.dims().size() != 4) return 0;
  for (const auto& [tag, block] : {std::pair{Tag::nChw16c, 16}, std::pair{Tag::nChw8c, 8}})
    if (desc.dims()[1] % block == 0 && desc == f32_desc(desc.dims(), tag)) return block;
  return 0;
}

std::atomic<bool>& twins_switch() {
  static std::atomic<bool> on = [] {
    const char* value = std::getenv("GG_CONV_TWINS");
    if (value == nullptr || *value == '\0' || std::string_view(value) == "1") return true;
    if (std::string_view(value) == "0") return false;
    throw std::invalid_argument(std::string("GG_CONV_TWINS must be 0 or 1, got '") + value + "'");
  }();
  return on;
}

}  // namespace

bool dnnl_twins_enabled() { return twins_switch().load(std::memory_order_relaxed); }

void set_dnnl_twins_enabled(bool on) { twins_switch().store(on, std::memory_order_relaxed); }

dnnl::engine& dnnl_cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

DnnlTwin::DnnlTwin(const memory::desc& desc)
    : desc_(desc), bytes_(desc.get_size()), data_(static_cast<float*>(cpu_backend().allocate(bytes_))) {}

DnnlTwin::~DnnlTwin() { cpu_backend().deallocate(data_, bytes_); }

void DnnlTwin::write_plain(void* plain) const {
  thread_local dnnl::stream stream(dnnl_cpu_engine());
  memory src(desc_, dnnl_cpu_engine(), data_), dst(plain_of(desc_), dnnl_cpu_engine(), plain);
  to_plain_reorder(desc_).execute(stream, src, dst);
  stream.wait();
}

bool whole_storage(const Tensor& t) {
  return t.dtype() == DType::f32 && t.device().is_cpu() && t.impl()->offset == 0 &&
         t.nbytes() == t.impl()->storage->bytes();
}

std::shared_ptr<const DnnlTwin> dnnl_twin(const Tensor& t) {
  if (!whole_storage(t)) return nullptr;
  return std::dynamic_pointer_cast<const DnnlTwin>(t.impl()->storage->twin());
}

const DnnlTwin& attach_dnnl_twin(const Tensor& t, const memory::desc& desc, bool plain_current) {
  auto twin = std::make_shared<DnnlTwin>(desc);
  const DnnlTwin& result = *twin;
  t.impl()->storage->set_twin(std::move(twin), plain_current);
  return result;
}

std::optional<ChannelBlocked> channel_blocked(const Tensor& t) {
  const std::shared_ptr<const DnnlTwin> twin = dnnl_twin(t);
  if (!twin || t.dim() != 4 || twin->desc().dims() != memory::dims(t.shape().begin(), t.shape().end()))
    return std::nullopt;
  const int block = channel_block(twin->desc());
  if (block == 0) return std::nullopt;
  return ChannelBlocked{twin->data(), t.size(0), t.size(1), t.size(2) * t.size(3), block};
}

std::optional<ChannelBlocked> channel_blocked_to_update(const Tensor& t) {
  const std::optional<ChannelBlocked> view = channel_blocked(t);
  if (view) t.impl()->storage->set_twin(dnnl_twin(t), /*plain_current=*/false);
  return view;
}

ChannelBlocked write_blocked(const Tensor& out, int block) {
  if (!whole_storage(out) || out.dim() != 4 || (block != 16 && block != 8) || out.size(1) % block != 0)
    throw std::logic_error("write_blocked: needs a whole f32 (N, C, H, W) output, C a multiple of the block");
  const memory::dims dims(out.shape().begin(), out.shape().end());
  const DnnlTwin& made = attach_dnnl_twin(out, f32_desc(dims, block == 16 ? Tag::nChw16c : Tag::nChw8c),
                                          /*plain_current=*/false);
  return {made.data(), out.size(0), out.size(1), out.size(2) * out.size(3), block};
}

ChannelBlocked write_blocked_like(const Tensor& out, const Tensor& like) {
  const std::optional<ChannelBlocked> view = channel_blocked(like);
  if (!view || out.shape() != like.shape())
    throw std::logic_error("write_blocked_like: needs an output shaped as an input with a channel-blocked twin");
  return write_blocked(out, view->block);
}

}  // namespace gg::cpu

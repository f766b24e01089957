#pragma once
// Channel-blocked views of tensors whose current values sit in a oneDNN twin (kernels/cpu/dnnl_twin.h),
// for the elementwise kernels between convolutions. nChw{block}c: (N, C / block, H, W, block), C a
// multiple of the block (16 with AVX-512, 8 with AVX2, as oneDNN picks).
#include <cstdint>
#include <optional>
#include <type_traits>

#include "engine/tensor.h"

namespace gg::cpu {

struct ChannelBlocked {
  float* data;
  std::int64_t n, c, hw;
  int block;
};

// f(std::integral_constant<int, block>{}) for a view's block of 16 or 8: the block a compile-time
// constant in the kernels' loops.
template <typename F>
decltype(auto) with_block(int block, F&& f) {
  if (block == 16) return f(std::integral_constant<int, 16>{});
  return f(std::integral_constant<int, 8>{});
}

inline bool same_layout(const ChannelBlocked& a, const ChannelBlocked& b) {
  return a.n == b.n && a.c == b.c && a.hw == b.hw && a.block == b.block;
}

// t (N, C, H, W) in a channel-blocked twin, read without writing the plain bytes; nullopt when t has
// no such twin.
std::optional<ChannelBlocked> channel_blocked(const Tensor& t);

// The same, for a kernel that writes t in place: the twin becomes t's only current copy.
std::optional<ChannelBlocked> channel_blocked_to_update(const Tensor& t);

// Gives `out` (a whole f32 (N, C, H, W) storage, C a multiple of `block`) a sole twin in nChw{block}c,
// for a kernel to write; returns its view.
ChannelBlocked write_blocked(const Tensor& out, int block);

// The same in the layout of `like`, an input of out's shape that has a channel-blocked twin.
ChannelBlocked write_blocked_like(const Tensor& out, const Tensor& like);

}  // namespace gg::cpu

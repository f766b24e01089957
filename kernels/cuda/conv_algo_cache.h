#pragma once
// Which cuDNN algorithm runs a convolution: chosen once per shape and pass, then cached.
//
// Plain C++ (no cuDNN types: algorithms and math types are kept as ints) so that the key, the
// filtering of cuDNN's answers and the fallback order are tested on the CPU. kernels/cuda/conv2d.cu
// converts cuDNN's perf structs into ConvAlgoPerf and back.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/dtype.h"
#include "kernels/common/conv_geometry.h"

namespace gg::cuda {

enum class ConvPass : std::uint8_t { forward, backward_data, backward_filter };

struct ConvAlgoKey {
  ConvPass pass;
  DType dtype;
  std::int64_t n, c, h, w, k, r, s;
  int stride, pad;
  bool deterministic;  // settings are part of the key: switching them never reuses a stale choice
  bool allow_tf32;

  bool operator==(const ConvAlgoKey&) const = default;
};

inline ConvAlgoKey make_conv_algo_key(ConvPass pass, DType dtype, const ConvGeometry& g, bool deterministic,
                                      bool allow_tf32) {
  return {pass, dtype, g.n, g.c, g.h, g.w, g.k, g.r, g.s, g.stride, g.pad, deterministic, allow_tf32};
}

struct ConvAlgoKeyHash {
  std::size_t operator()(const ConvAlgoKey& key) const {
    std::size_t h = 0;
    auto mix = [&h](std::int64_t v) { h ^= std::hash<std::int64_t>{}(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
    for (std::int64_t v : {key.n, key.c, key.h, key.w, key.k, key.r, key.s}) mix(v);
    mix(key.stride);
    mix(key.pad);
    mix(static_cast<std::int64_t>(key.pass) | static_cast<std::int64_t>(key.dtype) << 8 |
        static_cast<std::int64_t>(key.deterministic) << 16 | static_cast<std::int64_t>(key.allow_tf32) << 17);
    return h;
  }
};

// One of cuDNN's answers, in cuDNN's order of preference (fastest first).
struct ConvAlgoPerf {
  int algo;
  bool succeeded;      // status == CUDNN_STATUS_SUCCESS
  bool deterministic;  // determinism == CUDNN_DETERMINISTIC
  int math_type;       // cudnnMathType_t the algorithm was measured with
  bool tensor_op;      // that math type lets f32 run on TF32 tensor cores
  std::size_t workspace;
};

struct ConvAlgoChoice {
  int algo;
  std::size_t workspace;
  int math_type;  // cudnnMathType_t to set on the descriptor before running it
};

// The algorithms worth trying, best first: those cuDNN could run, deterministic ones only in
// deterministic mode, and without TF32 only those that need no tensor-op math.
struct ConvAlgoFilter {
  bool deterministic;
  bool allow_tensor_op;
};
inline std::vector<ConvAlgoChoice> usable_algorithms(const std::vector<ConvAlgoPerf>& perfs, ConvAlgoFilter filter) {
  std::vector<ConvAlgoChoice> out;
  for (const ConvAlgoPerf& p : perfs) {
    if (!p.succeeded) continue;
    if (filter.deterministic && !p.deterministic) continue;
    if (!filter.allow_tensor_op && p.tensor_op) continue;
    bool seen = false;  // cuDNN may list an algorithm once per math type; keep the first
    for (const ConvAlgoChoice& c : out) seen = seen || c.algo == p.algo;
    if (!seen) out.push_back({p.algo, p.workspace, p.math_type});
  }
  return out;
}

// The first candidate whose workspace can be provided (fits(bytes) tries to provide it): on out of
// memory the convolution falls back to the next algorithm, which usually needs less workspace.
template <typename Fits>
const ConvAlgoChoice* first_that_fits(const std::vector<ConvAlgoChoice>& candidates, Fits&& fits) {
  for (const ConvAlgoChoice& c : candidates)
    if (fits(c.workspace)) return &c;
  return nullptr;
}

// Runs the first candidate whose workspace can be provided and that cuDNN then accepts: run(c)
// returns false when cuDNN answers NOT_SUPPORTED for it (which it may do for an algorithm its own
// heuristics offered), and the next one is tried. The one that ran, or nullptr when none did.
template <typename Fits, typename Run>
const ConvAlgoChoice* run_first_supported(const std::vector<ConvAlgoChoice>& candidates, Fits&& fits, Run&& run) {
  for (const ConvAlgoChoice& c : candidates)
    if (fits(c.workspace) && run(c)) return &c;
  return nullptr;
}

// The non-deterministic path times every algorithm in one workspace, which then stays allocated
// for the whole run (it only grows); candidates needing more than this are not timed.
constexpr std::size_t kMaxFindWorkspace = std::size_t{1} << 30;  // 1 GiB
inline std::vector<ConvAlgoChoice> within_workspace(const std::vector<ConvAlgoChoice>& candidates, std::size_t cap) {
  std::vector<ConvAlgoChoice> out;
  for (const ConvAlgoChoice& c : candidates)
    if (c.workspace <= cap) out.push_back(c);
  return out;
}

// Thread-safe map from key to candidates.
class ConvAlgoCache {
 public:
  // The cached candidates for `key`, or choose() computed once and stored.
  template <typename Choose>
  const std::vector<ConvAlgoChoice>& get(const ConvAlgoKey& key, Choose&& choose) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    std::vector<ConvAlgoChoice> chosen = choose();
    std::lock_guard lock(mutex_);
    return map_.try_emplace(key, std::move(chosen)).first->second;  // references stay valid on rehash
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<ConvAlgoKey, std::vector<ConvAlgoChoice>, ConvAlgoKeyHash> map_;
};

}  // namespace gg::cuda

// The CUDA backend's plain C++ parts, tested on the CPU (these run on every machine): the
// convolution-algorithm cache, the reduction plan, the max-pool window rule, and the error for a
// CUDA device that is not there. Its caching allocator is tested in test_caching_allocator.cpp.
#include <algorithm>

#include "engine/backend.h"
#include "kernels/common/pool_math.h"
#include "kernels/common/reduce_plan.h"
#include "kernels/cuda/conv_algo_cache.h"
#include "kernels/cuda/cuda_settings.h"
#include "tests/test_cuda_helpers.h"

using namespace gg;
using gg::testing::random_f64;

TEST_CASE("cuda: convolution algorithm keys tell every shape, pass and setting apart") {
  const ConvGeometry g = make_conv_geometry(2, 3, 8, 8, 4, 3, 3, 1, 1);
  const auto base = cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, g, true, false);
  const cuda::ConvAlgoKeyHash hash;
  CHECK(base == cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, g, true, false));
  std::vector<cuda::ConvAlgoKey> others = {
      cuda::make_conv_algo_key(cuda::ConvPass::backward_data, DType::f32, g, true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::backward_filter, DType::f32, g, true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f64, g, true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, g, false, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, g, true, true),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, make_conv_geometry(3, 3, 8, 8, 4, 3, 3, 1, 1), true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, make_conv_geometry(2, 3, 8, 8, 4, 3, 3, 2, 1), true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, make_conv_geometry(2, 3, 8, 8, 4, 3, 3, 1, 0), true, false),
      cuda::make_conv_algo_key(cuda::ConvPass::forward, DType::f32, make_conv_geometry(2, 3, 8, 9, 4, 3, 3, 1, 1), true, false),
  };
  for (const auto& k : others) {
    CHECK_FALSE(k == base);
    CHECK(hash(k) != hash(base));
  }

  cuda::ConvAlgoCache cache;
  int computed = 0;
  auto choose = [&] {
    ++computed;
    return std::vector<cuda::ConvAlgoChoice>{{1, 0, 3}};
  };
  CHECK(cache.get(base, choose).front().algo == 1);
  CHECK(cache.get(base, choose).front().algo == 1);
  CHECK(computed == 1);  // chosen once per key
  cache.get(others[0], choose);
  CHECK(computed == 2);
  CHECK(cache.size() == 2);
}

TEST_CASE("cuda: convolution algorithm filtering, the out-of-memory and not-supported fallbacks, the timing cap") {
  // cuDNN's ranking, best first: (algo, succeeded, deterministic, math type, tensor op, workspace).
  const std::vector<cuda::ConvAlgoPerf> perfs = {
      {7, true, false, 0, false, 100},  // fastest, but not deterministic
      {6, true, true, 1, true, 50},     // TF32 tensor cores
      {5, false, true, 3, false, 0},    // not supported for this shape
      {4, true, true, 3, false, 4000},  // deterministic, big workspace
      {4, true, true, 0, false, 4000},  // same algorithm listed again under another math type
      {1, true, true, 3, false, 0},     // deterministic, no workspace
  };
  const auto strict = cuda::usable_algorithms(perfs, {true, false});
  REQUIRE(strict.size() == 2);
  CHECK(strict[0].algo == 4);
  CHECK(strict[0].math_type == 3);
  CHECK(strict[1].algo == 1);
  const auto fast = cuda::usable_algorithms(perfs, {false, true});
  REQUIRE(fast.size() == 4);
  CHECK(fast[0].algo == 7);
  CHECK(fast[1].algo == 6);

  std::vector<std::size_t> tried;
  const auto* pick = cuda::first_that_fits(strict, [&](std::size_t bytes) {
    tried.push_back(bytes);
    return bytes <= 1000;  // the device cannot provide 4000 bytes
  });
  REQUIRE(pick != nullptr);
  CHECK(pick->algo == 1);
  CHECK(tried == std::vector<std::size_t>{4000, 0});
  CHECK(cuda::first_that_fits(strict, [](std::size_t) { return false; }) == nullptr);

  // An algorithm cuDNN offered but then refuses (NOT_SUPPORTED) gives way to the next that fits.
  std::vector<int> ran;
  const auto* used = cuda::run_first_supported(
      fast, [](std::size_t bytes) { return bytes <= 1000; },
      [&](const cuda::ConvAlgoChoice& c) {
        ran.push_back(c.algo);
        return c.algo != 7;  // 7 is refused
      });
  REQUIRE(used != nullptr);
  CHECK(used->algo == 6);
  CHECK(ran == std::vector<int>{7, 6});
  CHECK(cuda::run_first_supported(fast, [](std::size_t) { return true; }, [](const cuda::ConvAlgoChoice&) { return false; }) ==
        nullptr);

  // The timed (non-deterministic) path leaves out what needs more than its workspace cap.
  const auto capped = cuda::within_workspace(fast, 100);
  REQUIRE(capped.size() == 3);
  CHECK(capped[0].algo == 7);
  CHECK(capped[1].algo == 6);
  CHECK(capped[2].algo == 1);
}

TEST_CASE("cuda: settings default to full f32 precision and deterministic convolutions") {
  const CudaSettings defaults;
  CHECK_FALSE(defaults.allow_tf32);
  CHECK(defaults.deterministic);
  CHECK(&cuda_settings() == &cuda_settings());
}

namespace {

// The CUDA reduction kernels' order of operations, replayed on the CPU from the same plan.
std::vector<double> replay_reduce(const ReducePlan& plan, const std::vector<double>& x) {
  constexpr int kThreads = 256;  // as reduce.cu
  std::vector<double> partial(static_cast<std::size_t>(plan.outputs * plan.segments));
  for (std::int64_t item = 0; item < plan.outputs * plan.segments; ++item) {
    const std::int64_t o = item % plan.outputs, seg = item / plan.outputs;
    const std::int64_t begin = seg * plan.segment_length, end = std::min(begin + plan.segment_length, plan.reduced);
    const std::int64_t base = plan.kept_offset(o);
    if (plan.use_blocks) {
      std::vector<double> lanes(kThreads, 0.0);
      for (int t = 0; t < kThreads; ++t)
        for (std::int64_t r = begin + t; r < end; r += kThreads)
          lanes[static_cast<std::size_t>(t)] += x[static_cast<std::size_t>(base + plan.reduced_offset(r))];
      for (int stride = kThreads / 2; stride > 0; stride /= 2)
        for (int t = 0; t < stride; ++t) lanes[static_cast<std::size_t>(t)] += lanes[static_cast<std::size_t>(t + stride)];
      partial[static_cast<std::size_t>(item)] = lanes[0];
    } else {
      double acc = 0;
      for (std::int64_t r = begin; r < end; ++r) acc += x[static_cast<std::size_t>(base + plan.reduced_offset(r))];
      partial[static_cast<std::size_t>(item)] = acc;
    }
  }
  std::vector<double> out(static_cast<std::size_t>(plan.outputs), 0.0);
  for (std::int64_t o = 0; o < plan.outputs; ++o)
    for (std::int64_t s = 0; s < plan.segments; ++s)
      out[static_cast<std::size_t>(o)] += partial[static_cast<std::size_t>(s * plan.outputs + o)];
  return out;
}

}  // namespace

TEST_CASE("cuda: the reduction plan visits every term once and matches the CPU's sums") {
  struct Case {
    Shape x;
    std::vector<int> dims;
  };
  const std::vector<Case> cases = {
      {{1 << 16}, {0}},               // everything, cut into segments of blocks
      {{4096, 64}, {0}},              // down the columns: threads, cut into segments
      {{16, 256, 8, 8}, {0, 2, 3}},   // bias gradient: per-thread sums
      {{4, 64, 32, 32}, {0, 2, 3}},   // long per-channel sums: blocks
      {{3, 5, 7}, {1}},               // a middle dim
      {{2, 3, 4, 5}, {1, 3}},         // alternating
      {{2, 1, 4, 1, 3}, {1, 3}},      // size-1 dims everywhere
      {{6, 7}, {}},                   // nothing summed
      {{1, 1}, {0, 1}},               // one element
  };
  for (const Case& c : cases) {
    CAPTURE(shape_str(c.x));
    Shape out = c.x;
    for (int d : c.dims) out[static_cast<std::size_t>(d)] = 1;
    const ReducePlan plan = make_reduce_plan(c.x.data(), out.data(), static_cast<int>(c.x.size()));
    CHECK(plan.outputs == shape_numel(out));
    CHECK(plan.outputs * plan.reduced == shape_numel(c.x));
    CHECK(plan.segments >= 1);
    CHECK(plan.segments * plan.segment_length >= plan.reduced);
    CHECK((plan.segments - 1) * plan.segment_length < plan.reduced);
    // Every (output, term) pair maps to a distinct element of x.
    std::vector<int> seen(static_cast<std::size_t>(shape_numel(c.x)), 0);
    for (std::int64_t o = 0; o < plan.outputs; ++o)
      for (std::int64_t r = 0; r < plan.reduced; ++r) ++seen[static_cast<std::size_t>(plan.kept_offset(o) + plan.reduced_offset(r))];
    CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));

    const Tensor x = random_f64(c.x, 5);
    const Tensor expected = c.dims.empty() ? x : sum(x, c.dims, true);
    const Tensor replayed = Tensor::from_vector(replay_reduce(plan, x.to_vector<double>()), out);
    gg::testing::check_close(replayed, expected, 1e-12, 1e-12);
  }
}

TEST_CASE("cuda: the shared max-pool window rule matches the CPU kernel, ties included") {
  // Values from a small set, so that ties are common.
  Generator gen(11);
  const Tensor x = add(mul(Tensor::rand({4, 3, 16, 16}, gen, {DType::f64}), 3.0), -1.5);
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = std::floor(e);
  const Tensor xt = Tensor::from_vector(v, x.shape());
  Tensor y = Tensor::empty({4, 3, 8, 8}, {DType::f64}), mask = Tensor::empty(xt.shape(), {DType::f64});
  cpu_backend().max_pool2x2(xt, y, mask);
  const auto vy = y.to_vector<double>(), vm = mask.to_vector<double>();
  for (std::int64_t plane = 0; plane < 12; ++plane)
    for (std::int64_t i = 0; i < 8; ++i)
      for (std::int64_t j = 0; j < 8; ++j) {
        const std::int64_t top = plane * 256 + 2 * i * 16 + 2 * j, bottom = top + 16;
        const std::size_t idx[4] = {static_cast<std::size_t>(top), static_cast<std::size_t>(top + 1),
                                    static_cast<std::size_t>(bottom), static_cast<std::size_t>(bottom + 1)};
        const int pick = max_pool_pick(v[idx[0]], v[idx[1]], v[idx[2]], v[idx[3]]);
        for (int k = 0; k < 4; ++k) CHECK(vm[idx[k]] == (k == pick ? 1.0 : 0.0));
        CHECK(vy[static_cast<std::size_t>(plane * 64 + i * 8 + j)] == max_pool_value(v[idx[0]], v[idx[1]], v[idx[2]], v[idx[3]]));
      }
}

TEST_CASE("cuda: asking for a CUDA device that is not there is a clear error, never a CPU fallback") {
  const CudaRuntimeInfo info = cuda_runtime_info();
  if (!info.compiled) {
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}, {DType::f32, Device::cuda(0)}), doctest::Contains("no CUDA support"),
                         std::runtime_error);
  } else if (info.device_count == 0) {
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}, {DType::f32, Device::cuda(0)}),
                         doctest::Contains("cuda:0: no CUDA device is visible"), std::runtime_error);
  }
  // On any machine, an index past the visible devices names how many there are.
  const Device missing = Device::cuda(std::max(info.device_count, 1) + 3);
  CHECK_THROWS_AS(backend_for(missing), std::runtime_error);
  if (info.device_count > 0)
    CHECK_THROWS_WITH(backend_for(missing), doctest::Contains("CUDA device(s) visible"));
}

// The kernel profiler counts calls and time per kernel only while enabled.
#include <doctest/doctest.h>

#include <algorithm>

#include "engine/ops.h"
#include "engine/ops_progan.h"
#include "engine/profiler.h"

using namespace gg;

namespace {

const KernelTime* find(const std::vector<KernelTime>& rows, const std::string& name) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const KernelTime& r) { return r.name == name; });
  return it == rows.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("profiler: kernels are timed per name while enabled, and only then") {
  Generator gen(1);
  const Tensor x = Tensor::randn({2, 3, 8, 8}, gen), w = Tensor::randn({4, 3, 3, 3}, gen);
  KernelProfiler::reset();
  KernelProfiler::set_enabled(true);
  const Tensor y = conv2d(x, w, {}, {1, 1});
  const Tensor z = pixel_norm(y);
  sum(z).item();
  sum(z).item();
  KernelProfiler::set_enabled(false);
  conv2d(x, w, {}, {1, 1});

  const std::vector<KernelTime> rows = KernelProfiler::totals();
  const KernelTime* conv = find(rows, "conv2d_forward");
  REQUIRE(conv != nullptr);
  CHECK(conv->calls == 1);  // the call after disabling is not counted
  CHECK(conv->seconds > 0);
  REQUIRE(find(rows, "sum_reduce") != nullptr);
  CHECK(find(rows, "sum_reduce")->calls == 2);
  CHECK(find(rows, "pixel_norm_forward") != nullptr);
  CHECK(std::is_sorted(rows.begin(), rows.end(), [](const KernelTime& a, const KernelTime& b) { return a.seconds > b.seconds; }));
  const std::string table = KernelProfiler::table();
  CHECK(table.find("conv2d_forward") != std::string::npos);
  CHECK(table.find("total") != std::string::npos);
  KernelProfiler::reset();
  CHECK(KernelProfiler::totals().empty());
}

// Batch norm + ReLU in training on CUDA (kernels/cuda/batch_norm.cu), fused against the
// composition it replaced, as bench_batch_norm.cpp does on the CPU (bench/batch_norm_cases.h),
// timed with CUDA events on the backend's stream and rated against the device's memory bandwidth.
// The time includes what the host spends queueing the kernels: that is part of what fusing saves.
#include "bench/batch_norm_cases.h"
#include "bench/bench_cuda_common.h"

namespace {

struct CudaEnv {
  static gg::Tensor random(const gg::Shape& shape, std::uint64_t seed) {
    gg::Generator gen(seed);
    return gg::Tensor::randn(shape, gen, {gg::DType::f32, gg::bench_cuda::device()});
  }
  template <class F>
  static void time(benchmark::State& state, F&& body) {
    gg::bench_cuda::time_on_device(state, body);
  }
  static void report_bytes(benchmark::State& state, double bytes) { gg::bench_cuda::report_bytes(state, bytes); }
};

}  // namespace

int main(int argc, char** argv) {
  gg::bench::batch_norm_cases::register_cases<CudaEnv>("cuda_", /*manual_time=*/true);
  return gg::bench_cuda::run_benchmarks(argc, argv);
}

// Batch norm + ReLU in training, fused against the composition it replaced, on the CPU (the cases
// are in bench/batch_norm_cases.h, shared with the CUDA program); each result gets its share of
// the machine's measured memory bandwidth (bench/roofline.h).
#include "bench/batch_norm_cases.h"
#include "bench/cpu_bench_env.h"
#include "bench/roofline.h"

int main(int argc, char** argv) {
  gg::bench::batch_norm_cases::register_cases<gg::bench::CpuEnv>("", /*manual_time=*/false);
  return gg::bench::run_benchmarks(argc, argv);
}

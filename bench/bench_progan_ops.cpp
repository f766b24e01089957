// ProGAN's fused ops against the compositions of basic ops that define them, on the CPU (the
// cases are in bench/progan_op_cases.h, shared with the CUDA program); each result gets its share
// of the machine's peak (bench/roofline.h).
#include "bench/progan_op_cases.h"
#include "bench/cpu_bench_env.h"
#include "bench/roofline.h"

int main(int argc, char** argv) {
  gg::bench::progan_ops::register_cases<gg::bench::CpuEnv>("", /*manual_time=*/false);
  return gg::bench::run_benchmarks(argc, argv);
}

#!/usr/bin/env bash
# One-command check of the CUDA backend on a machine with a GPU: configures and builds a CUDA
# build, runs every CUDA test ("cuda:" and "cuda progan:"; they must pass, not skip) and the whole
# test suite, runs the CUDA benchmarks, prints the kernels' ptxas resource use, and writes a short
# markdown report.
#
#   scripts/gpu_check.sh [build-dir]      (default: build-gpu-check; report: <build-dir>/gpu_report.md)
#
# Exits non-zero when no GPU is visible, a CUDA test fails or is skipped, or any test fails. The
# tests of the real Gravity Spy samples need ../shared beside the checkout; without it they are
# reported skipped (and the report says so).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-gpu-check}
case $build in /*) ;; *) build=$root/$build ;; esac
report=$build/gpu_report.md
jobs=$(nproc)

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
grep -q '^GG_CUDNN:FILEPATH=.*cudnn' "$build/CMakeCache.txt" || { echo "gpu_check: CMake found no CUDA toolkit" >&2; exit 1; }
make -C "$build" -j"$jobs" gg_tests bench_cuda_elementwise bench_cuda_matmul bench_cuda_conv2d

device=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)
if [[ -z $device ]]; then
  echo "gpu_check: no GPU visible (nvidia-smi reports none)" >&2
  exit 1
fi

# GPU tests first: on this machine none may be skipped. They run with fresh device memory poisoned
# (NaN), so a kernel that reads an output it did not write fails its comparison with the CPU.
status=0
GG_POISON_MEMORY=1 ctest --test-dir "$build" -R '^cuda' --output-on-failure -j1 >"$build/ctest_cuda.log" 2>&1 || status=1
cuda_summary=$(grep -E 'tests passed|tests failed' "$build/ctest_cuda.log" | tail -1)
skipped=$(grep -c '\*\*\*Skipped' "$build/ctest_cuda.log" || true)
[[ $skipped -eq 0 ]] || status=1
ctest --test-dir "$build" -j"$jobs" >"$build/ctest_all.log" 2>&1 || status=1
all_summary=$(grep -E 'tests passed|tests failed' "$build/ctest_all.log" | tail -1)

mkdir -p "$build/bench-results"
for b in elementwise matmul conv2d; do
  "$build/bench/bench_cuda_$b" --benchmark_min_time=0.2 --benchmark_out="$build/bench-results/cuda-$b.json" \
    --benchmark_out_format=json | tee "$build/bench-results/cuda-$b.txt"
done

make -C "$build" ptxas_report >/dev/null

{
  echo "# glitchgan GPU check"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- device: $device"
  echo "- toolkit: $(nvcc --version 2>/dev/null | tail -1 || echo unknown)"
  echo
  echo "## Tests"
  echo "- CUDA tests: $cuda_summary; skipped: $skipped"
  echo "- whole suite: $all_summary"
  [[ -d $root/../shared/data ]] || echo "- no ../shared/data beside the checkout: the real-sample tests were skipped"
  grep -E '\(Failed\)|\(Skipped\)|\*\*\*Failed|\*\*\*Exception' "$build/ctest_cuda.log" "$build/ctest_all.log" | sed 's/^/    /' || true
  echo
  echo "## CUDA benchmarks (device time from CUDA events; peak_share of the device's theoretical peak)"
  for b in elementwise matmul conv2d; do
    echo
    echo "### $b"
    echo '```'
    grep -E '^(BM_|Benchmark|-)' "$build/bench-results/cuda-$b.txt" || true
    echo '```'
  done
  echo
  echo "## Kernel resource use"
  echo
  echo "Registers, spills and shared memory per kernel: \`$build/ptxas_report.md\`; kernels that spill:"
  awk -F'|' 'NR > 4 && $6 !~ / 0 \/ 0 / { print "   " $0 }' "$build/ptxas_report.md"
} >"$report"

cat "$report"
echo "gpu_check: report written to $report"
exit $status

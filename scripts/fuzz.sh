#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang with ASan + UBSan) and runs each for SECONDS, seeded
# from real files (fuzz/make_seeds.cpp) and the small committed seeds in fuzz/seeds. Prints one line
# per harness with its exec count; exits non-zero if any crashed, leaked, timed out, ran out of
# memory or threw what its parser does not document, leaving the input in BUILD_DIR/fuzz/artifacts
# and the log in BUILD_DIR/fuzz/logs. What the harnesses find is kept in BUILD_DIR/fuzz/corpus, so
# a second run goes on from there.
#
#   scripts/fuzz.sh SECONDS [BUILD_DIR]      (default build-sanitize, configured for fuzzing if new)
#   GG_FUZZ_JOBS=N: harnesses run at once (default: the number of CPUs)
#   GG_FUZZ_HARNESSES="png safetensors": only these (names as in fuzz/fuzz_NAME.cpp; default: all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
usage="usage: scripts/fuzz.sh SECONDS [BUILD_DIR]   (SECONDS per harness, a positive integer)"
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[1-9][0-9]*$ ]] || { echo "$usage" >&2; exit 2; }
seconds=$1
build=${2:-build-sanitize}
command -v clang++-16 >/dev/null ||
  { echo "fuzz.sh: clang++-16 is missing: apt-get install clang-16 libclang-rt-16-dev libomp-16-dev" >&2; exit 2; }

out=$build/fuzz
mkdir -p "$out/logs" "$out/artifacts"
harnesses=()
if [[ -n ${GG_FUZZ_HARNESSES:-} ]]; then
  for name in $GG_FUZZ_HARNESSES; do
    [[ -f fuzz/fuzz_$name.cpp ]] || { echo "fuzz.sh: GG_FUZZ_HARNESSES: no harness '$name' (fuzz/fuzz_$name.cpp)" >&2; exit 2; }
    harnesses+=("fuzz_$name")
  done
else
  for src in fuzz/fuzz_*.cpp; do harnesses+=("$(basename "$src" .cpp)"); done
fi
{
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Release -DGG_CUDA=OFF \
        -DGG_SANITIZE=address,undefined -DGG_FUZZ=ON &&
    cmake --build "$build" -j"$(nproc)" --target "${harnesses[@]}" gg_fuzz_seeds
} >"$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; echo "fuzz.sh: the build failed ($out/build.log)" >&2; exit 1; }

seeds=$out/seeds
sample=$root/../shared/data/gravityspy-sample
if [[ ! -d $seeds ]]; then
  rm -rf "$seeds.tmp"
  if [[ -d $sample ]]; then
    "$out/gg_fuzz_seeds" "$sample" "$seeds.tmp"
  else
    echo "fuzz.sh: $sample is missing: only the committed seeds are used" >&2
    mkdir -p "$seeds.tmp"
  fi
  mv "$seeds.tmp" "$seeds"
fi

# One thread: the parsers need no more, and an OpenMP pool would only add noise.
export OMP_NUM_THREADS=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer
[[ -x $symbolizer ]] && export ASAN_SYMBOLIZER_PATH=$symbolizer
# A harness reads its corpus (new inputs go there), the generated seeds and the committed ones.
run() {
  local name=$1 corpus=$out/corpus/${1#fuzz_} committed=fuzz/seeds/${1#fuzz_}
  local dirs=("$corpus" "$seeds/${1#fuzz_}") status=0
  mkdir -p "${dirs[@]}"
  [[ -d $committed ]] && dirs+=("$committed")
  # -rss_limit_mb also caps single allocations (-malloc_limit_mb defaults to it).
  "$out/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
               -artifact_prefix="$out/artifacts/$name-" "${dirs[@]}" >"$out/logs/$name.log" 2>&1 || status=$?
  echo "$status" >"$out/logs/$name.status"
}
jobs_max=${GG_FUZZ_JOBS:-$(nproc)}
for name in "${harnesses[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  run "$name" &
done
wait
failed=0
for name in "${harnesses[@]}"; do
  status=$(cat "$out/logs/$name.status")
  log=$out/logs/$name.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus_size=$(find "$out/corpus/${name#fuzz_}" -type f | wc -l)
  if ((status == 0)); then
    printf '%-22s %10s execs in %ss, corpus %s, ok\n' "$name" "${execs:-?}" "$seconds" "$corpus_size"
  else
    failed=1
    printf '%-22s %10s execs in %ss, FINDING (exit %s): %s\n' "$name" "${execs:-?}" "$seconds" "$status" "$log"
    grep -E "^(==[0-9]+==ERROR|SUMMARY|fuzz finding)|runtime error|Test unit written" "$log" | head -8 | sed 's/^/    /'
  fi
done
exit "$failed"

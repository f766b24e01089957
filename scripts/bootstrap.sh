#!/usr/bin/env bash
# Installs the Debian packages glitchgan needs (only those missing) and builds it in ./build.
# Usage: bash scripts/bootstrap.sh [CMAKE_ARGS...]   (as root or with sudo; e.g. -DGG_WERROR=ON as CI does)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config   # toolchain
  libopenblas-openmp-dev             # GEMM for matmul and conv2d (OpenMP flavour)
  libdnnl-dev ocl-icd-opencl-dev     # oneDNN f32 convolutions (OpenMP build; its CMake package wants OpenCL)
  nlohmann-json3-dev                 # JSON: safetensors headers, logs, benchmark files
  libcli11-dev                       # command-line parsing
  libfmt-dev                         # formatting
  doctest-dev                        # unit tests
  libbenchmark-dev                   # benchmarks
  libpng-dev                         # PNG images
  libfftw3-dev                       # FFTs for the synthetic spectrograms
  libcsv-dev                         # the Gravity Spy metadata CSV
  libcairo2-dev fonts-dejavu-core    # report charts, heat maps and captions (DejaVu Sans text)
  libboost-math-dev                  # Student's t quantiles for the experiment's 95% intervals (header-only)
  libopenmpi-dev openmpi-bin         # data-parallel jobs over several processes (mpirun -np N glitchgan ...)
  # The sanitizer and fuzzing build (GG_SANITIZE, GG_FUZZ; CI and scripts/fuzz.sh): clang, its
  # OpenMP runtime, libFuzzer and the sanitizer runtimes, and llvm-symbolizer for readable reports.
  # Clang 16, not Debian's default 14: 14 cannot capture structured bindings in lambdas (C++20),
  # which doctest's CAPTURE and INFO do in the tests.
  clang-16 libomp-16-dev libclang-rt-16-dev llvm-16
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  echo "bootstrap: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j"$(nproc)"

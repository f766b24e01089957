#!/usr/bin/env bash
# Installs a build into a temporary prefix, then configures, builds and runs tests/install_consumer
# (a project of its own: find_package(glitchgan), glitchgan::engine, <glitchgan/engine/ops.h>)
# against it. CI runs it after the tests.
#
#   scripts/check_install.sh [build-dir]      (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
for f in bin/glitchgan include/glitchgan/engine/ops.h lib/cmake/glitchgan/glitchganConfig.cmake \
         lib/cmake/glitchgan/glitchganConfigVersion.cmake; do
  [[ -e $work/prefix/$f ]] || { echo "check_install: $f is missing from the install prefix" >&2; exit 1; }
done
"$work/prefix/bin/glitchgan" --version
cmake -S "$root/tests/install_consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/consumer" -j"$(nproc)" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
"$work/consumer/consumer"
echo "check_install: the installed package builds and runs a consumer"

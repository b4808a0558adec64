#!/usr/bin/env bash
# Configures (once) and builds cnnc in build/ with Ninja, clang-19 and ccache.
# Usage: scripts/build.sh [extra cmake -D options for the first configure]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
jobs=${CNNC_JOBS:-$(nproc)}

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DLLVM_USE_LINKER=lld \
    "$@"
fi
# ccache keys on the compile command, which names absolute paths: with the
# checkout as its base directory they become relative, so another clone of
# the repository (CI builds a fresh one) reuses the objects already cached.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
ninja -C "$build" -j "$jobs"

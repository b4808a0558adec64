#!/usr/bin/env bash
# Installs what is missing, builds cnnc, and runs every test: ctest (the lit +
# FileCheck suite, the Catch2 unit tests, the PyTorch cross-checks and the
# formatting check), then the same tools built with AddressSanitizer and
# UndefinedBehaviorSanitizer over every malformed input of the suite, then
# each libFuzzer target for 60 seconds (scripts/fuzz.sh, build-fuzz/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"

asan=${CNNC_ASAN_BUILD_DIR:-$root/build-asan}
CNNC_BUILD_DIR=$asan "$root/scripts/build.sh" -DCNNC_SANITIZE=address,undefined
"$root/tests/tools/sanitizer-sweep.sh" "$asan"

# The fuzzers: their own build (only the libraries they link), 60 s each.
"$root/scripts/fuzz.sh" 60

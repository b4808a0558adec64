#!/usr/bin/env bash
# Installs what is missing, builds cnnc, and runs every test: ctest (the lit +
# FileCheck suite, the Catch2 unit tests, the PyTorch cross-checks and the
# formatting check), then the same tools built with AddressSanitizer and
# UndefinedBehaviorSanitizer over every malformed input of the suite and
# through that build's own lit suite and unit tests, then each libFuzzer
# target for 60 seconds (scripts/fuzz.sh, build-fuzz/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"

asan=${CNNC_ASAN_BUILD_DIR:-$root/build-asan}
CNNC_BUILD_DIR=$asan "$root/scripts/build.sh" -DCNNC_SANITIZE=address,undefined
"$root/tests/tools/sanitizer-sweep.sh" "$asan"
# The ASan build's ctest (lit, unit and numeric tests, the ONNX
# conformance and PyTorch shape checks), failing on any sanitizer report;
# the whole-model PyTorch/ONNX end-to-end checks are left out (the script
# says why). About 15 minutes on a 2-core machine.
"$root/tests/tools/asan-ctest.sh" "$asan"

# The fuzzers: their own build (only the libraries they link), 60 s each.
"$root/scripts/fuzz.sh" 60

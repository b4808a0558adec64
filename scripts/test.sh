#!/usr/bin/env bash
# Installs what is missing, builds cnnc, and runs every test with ctest: the
# lit + FileCheck suite, the Catch2 unit tests and the formatting check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"

#!/usr/bin/env bash
# Runs the test suite of the AddressSanitizer + UndefinedBehaviorSanitizer
# build (-DCNNC_SANITIZE=address,undefined) and fails on any sanitizer
# report: its lit suite (every tool on every test input, the generated
# libraries' C programs) and the Catch2 unit and numeric tests. Complements
# sanitizer-sweep.sh, which feeds the tools malformed input.
# Usage: asan-ctest.sh ASAN_BUILD_DIR [extra ctest arguments]
#
# Whole models: torchvision-e2e-small and onnx-torchvision-small (defined in
# this build only) run the PyTorch end-to-end checks on ShuffleNetV2 and
# MobileNetV3-small (batch 2), through every pass and, from ONNX, the
# importer; fused-vs-unfused runs every example and its random chains. Left
# out (ctest -E): the full torchvision-e2e and onnx-torchvision (all the
# large models, about an hour under ASan: the same passes and importer
# again) and torchvision-weights (the checkpoints' binding, which the
# small checks do too). python-api (the Python package driving this
# build's cnnc and cnnc-run) and cmake-install (this build installed, its
# cnnc compiling a model for a CMake project) run here too. clang-format is
# no program of ours; runtime-bench is a benchmark. The
# runtime's ThreadSanitizer and valgrind tests are not even defined in this
# build (tests/runtime/CMakeLists.txt), and lit skips valgrind.test
# (UNSUPPORTED: asan).
# The numeric tests all run here, the slowest too (conv2d, about 6 minutes
# under ASan on 2 cores, compiles dozens of random configurations through
# every pass).
# runtime-link runs on its own with LeakSanitizer off (ASan's other checks
# on): LeakSanitizer reports the two default thread pools that dlclose
# retires, which cnnc_rt_pool_retire keeps allocated on purpose (a thread
# may still be in the model), with no stack to suppress them by (their
# library is unloaded); runtime-test checks the pools, leaks included.
# compile-memory measures cnnc's peak memory against the weights' size,
# which ASan's shadow memory and quarantine change (3.8x instead of 2.0x);
# the plain build's ctest runs it.
set -uo pipefail
build=$1
shift
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# As sanitizer-sweep.sh sets them (see there for allow_user_poisoning=0),
# and every report also goes to a file of $logs: a report from a program
# whose failure a test expects (`not cnnc ...`) or whose exit status a
# pipe hides still fails the run. halt_on_error: the first undefined
# behaviour ends the program, as a failure. Programs that the tests build
# with sanitizers of their own set their own options (lit passes these
# variables through).
export ASAN_OPTIONS=exitcode=86:detect_leaks=1:allow_user_poisoning=0:log_path=$logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" \
  -E '^(torchvision-(weights|e2e)$|onnx-torchvision$|clang-format$|runtime-bench$|runtime-link$|compile-memory$)' \
  "$@"
status=$?
ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} \
  ctest --test-dir "$build" --output-on-failure -R '^runtime-link$' ||
  status=1
reports=0
for log in "$logs"/*; do
  [ -e "$log" ] || continue
  if grep -qE "Sanitizer|runtime error:" "$log"; then
    reports=$((reports + 1))
    echo "SANITIZER REPORT ($(basename "$log")):"
    head -40 "$log"
  fi
done
echo "asan-ctest: ctest status $status, $reports sanitizer report(s)"
[ "$status" -eq 0 ] && [ "$reports" -eq 0 ]

#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (if needed) in build-fuzz/ and
# runs each for SECONDS (default 60) from its seeds (tests/fuzz/make_seeds.py),
# its corpus of earlier runs and its regression inputs, with its dictionary.
# Fails on any crash, sanitizer report, timeout or out-of-memory, and leaves
# the input that caused it in build-fuzz/fuzz-crashes/TARGET/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
build=${CNNC_FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${CNNC_JOBS:-$(nproc)}

# The debug information names the build directory as "." (ccache, with the
# checkout as its base directory below, then shares the objects between
# clones, as scripts/build.sh's; the sources are named relative to it).
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_C_FLAGS="-fdebug-prefix-map=$build=." \
    -DCMAKE_CXX_FLAGS="-fdebug-prefix-map=$build=." \
    -DLLVM_USE_LINKER=lld -DBUILD_TESTING=OFF -DCNNC_FUZZERS=ON
fi
# The fuzzers and the libraries they link, nothing else.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
ninja -C "$build" -j "$jobs" cnnc-fuzzers

# Seeds of this run only: two runs of different targets may share build-fuzz/.
seeds=$(mktemp -d "$build/fuzz-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
/usr/bin/python3 "$root/tests/fuzz/make_seeds.py" "$root" "$seeds"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for fuzzer in "$build"/fuzz/fuzz-*; do
    targets+=("$(basename "$fuzzer")")
  done
fi

failures=0
for target in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$target"
  crashes="$build/fuzz-crashes/$target"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")" "$seeds/$target"
  inputs=("$corpus" "$seeds/$target")
  if [ -d "$root/tests/fuzz/regressions/$target" ]; then
    inputs+=("$root/tests/fuzz/regressions/$target")
  fi
  options=(-max_total_time="$seconds" -max_len=65536 -timeout=30
           -rss_limit_mb=4096 -print_final_stats=1
           -artifact_prefix="$crashes/")
  if [ -f "$root/tests/fuzz/$target.dict" ]; then
    options+=(-dict="$root/tests/fuzz/$target.dict")
  fi
  start=$(date +%s)
  status=0
  # The whole corpus is read first: every regression input runs each time.
  # (The sanitizers' options are built in: tests/fuzz/SanitizerOptions.cpp.)
  "$build/fuzz/$target" "${options[@]}" "${inputs[@]}" >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" -ne 0 ]; then
    failures=$((failures + 1))
    echo "fuzz.sh: $target FAILED (exit $status) after ${runs:-?} runs in ${elapsed} s; log: $log"
    grep -E "ERROR|runtime error|SUMMARY|Test unit written|deadly signal|timeout|out-of-memory" "$log" | head -20 || true
  else
    echo "fuzz.sh: $target: ${runs:-?} runs in ${elapsed} s, no crash ($(find "$corpus" -type f | wc -l) corpus inputs)"
  fi
done
echo "fuzz.sh: ${#targets[@]} fuzzers, $failures failed"
[ "$failures" -eq 0 ]

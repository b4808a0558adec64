#!/usr/bin/env bash
# Compiles every example model with random weights and prints a Markdown
# table: compile time, library size, scratch arena (and what the
# intermediate tensors would take without reuse), and cnnc-run's latency on
# one thread. Usage: scripts/bench-examples.sh [runs, default 20]
# Needs a build (scripts/build.sh); writes the libraries to build/bench/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
runs=${1:-20}
out=$build/bench
mkdir -p "$out"
echo "| model | compile (s) | library (MB) | arena (MB) | without reuse (MB) | median (ms) | min (ms) | p90 (ms) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for model in "$root"/examples/*.cnn; do
  name=$(basename "$model" .cnn)
  start=$(date +%s.%N)
  stats=$("$build/bin/cnnc" "$model" --random-weights=1 -o "$out/lib$name.so" --stats 2>&1)
  end=$(date +%s.%N)
  bench=$("$build/bin/cnnc-run" "$out/lib$name.so" --seed 1 --bench "$runs" | grep '^latency')
  awk -v name="$name" -v start="$start" -v end="$end" \
      -v size="$(stat -c %s "$out/lib$name.so")" -v stats="$stats" -v bench="$bench" '
    BEGIN {
      match(stats, /arena [0-9]+/); arena = substr(stats, RSTART + 6, RLENGTH - 6)
      match(stats, /reuse: [0-9]+/); naive = substr(stats, RSTART + 7, RLENGTH - 7)
      match(bench, /min [0-9.]+/); min = substr(bench, RSTART + 4, RLENGTH - 4)
      match(bench, /median [0-9.]+/); median = substr(bench, RSTART + 7, RLENGTH - 7)
      match(bench, /p90 [0-9.]+/); p90 = substr(bench, RSTART + 4, RLENGTH - 4)
      printf "| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", name,
             end - start, size / 1048576, arena / 1048576, naive / 1048576,
             median, min, p90
    }'
done

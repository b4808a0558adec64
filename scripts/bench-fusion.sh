#!/usr/bin/env bash
# Fused vs. unfused: compiles each layer chain of bench/fusion/ (the layer
# set of docs/performance.md) and some example models twice, by default and
# with --no-fusion, and prints a Markdown table of scratch arena and
# cnnc-run latency (one thread; the two libraries are timed alternately, in
# rounds, so that the machine's noise falls on both).
# Usage: scripts/bench-fusion.sh [runs per round, default 10] [rounds, default 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
runs=${1:-10}
rounds=${2:-3}
out=$build/bench-fusion
mkdir -p "$out"
models=("$root"/bench/fusion/*.cnn)
for name in mobilenet_v2 shufflenet_v2_x1_0 googlenet resnet50; do
  models+=("$root/examples/$name.cnn")
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| chain or model | fused chains | arena unfused (KB) | arena fused (KB) | median unfused (ms) | median fused (ms) | speedup |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for model in "${models[@]}"; do
  name=$(basename "$model" .cnn)
  unfused_stats=$("$build/bin/cnnc" "$model" --random-weights=1 --no-fusion -o "$out/lib${name}_unfused.so" --stats 2>&1)
  fused_stats=$("$build/bin/cnnc" "$model" --random-weights=1 -o "$out/lib${name}_fused.so" --stats 2>&1)
  chains=$("$build/bin/cnnc" "$model" --random-weights=1 --emit=linalg -o /dev/null --fusion-report 2>&1 | grep -c '^  #' || true)
  : > "$out/$name.unfused" ; : > "$out/$name.fused"
  for ((round = 0; round < rounds; ++round)); do
    for variant in unfused fused; do
      "$build/bin/cnnc-run" "$out/lib${name}_${variant}.so" --seed 1 --top 0 --bench "$runs" |
        sed -n 's/.*median \([0-9.]*\).*/\1/p' >> "$out/$name.$variant"
    done
  done
  arena() { echo "$1" | sed -n 's/.*arena \([0-9]*\) bytes.*/\1/p'; }
  awk -v name="$name" -v chains="$chains" \
      -v au="$(arena "$unfused_stats")" -v af="$(arena "$fused_stats")" \
      -v mu="$(median < "$out/$name.unfused")" -v mf="$(median < "$out/$name.fused")" '
    BEGIN { printf "| %s | %d | %.0f | %.0f | %.3f | %.3f | %.2fx |\n",
            name, chains, au / 1024, af / 1024, mu, mf, mu / mf }'
done

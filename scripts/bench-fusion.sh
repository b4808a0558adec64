#!/usr/bin/env bash
# Fused vs. unfused, with Google Benchmark: compiles each layer chain of
# bench/fusion/ (the layer set of docs/performance.md) and some example
# models twice, by default and with --no-fusion, times every library with
# build/bin/cnnc-bench on one thread and on two (two inferences at once,
# time per inference), and prints a Markdown table of medians. Repetitions
# of all libraries are interleaved in random order, so that the machine's
# drifts fall on fused and unfused alike.
# Usage: scripts/bench-fusion.sh [repetitions, default 5] [min seconds each, default 0.5]
# CNNC_BENCH_MODELS="mobilenet_v2 resnet50" chooses the example models.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
repetitions=${1:-5}
min_time=${2:-0.5}
out=$build/bench-fusion
mkdir -p "$out"
models=("$root"/bench/fusion/*.cnn)
for name in ${CNNC_BENCH_MODELS-mobilenet_v2 shufflenet_v2_x1_0 googlenet resnet50}; do
  models+=("$root/examples/$name.cnn")
done
libraries=()
for model in "${models[@]}"; do
  name=$(basename "$model" .cnn)
  "$build/bin/cnnc" "$model" --random-weights=1 --no-fusion -o "$out/${name}.unfused.so"
  "$build/bin/cnnc" "$model" --random-weights=1 -o "$out/${name}.fused.so"
  libraries+=("$out/${name}.unfused.so" "$out/${name}.fused.so")
done
"$build/bin/cnnc-bench" "${libraries[@]}" --benchmark_repetitions="$repetitions" \
  --benchmark_min_time="$min_time" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_format=json > "$out/results.json"
/usr/bin/python3 - "$out/results.json" <<'PY'
import json, sys
rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    # "lib.so/threads:N/real_time" (one inference on N threads) or
    # "lib.so/concurrent/real_time/threads:2" (two one-thread inferences).
    library, rest = b["run_name"].split("/", 1)
    name, variant = library[:-len(".so")].rsplit(".", 1)
    parts = rest.split("/")
    threads = next(p for p in parts if p.startswith("threads:"))[len("threads:"):]
    if "concurrent" in parts:
        threads += " (2 inferences)"
    rows.setdefault((name, threads), {})[variant] = (b["real_time"], b["scratch_KB"])
print("| chain or model | threads | unfused (ms) | fused (ms) | speedup | scratch unfused (KB) | scratch fused (KB) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for (name, threads), v in sorted(rows.items()):
    (tu, su), (tf, sf) = v["unfused"], v["fused"]
    print(f"| {name} | {threads} | {tu:.3f} | {tf:.3f} | {tu / tf:.2f}x | {su:.0f} | {sf:.0f} |")
PY

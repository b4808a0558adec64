#!/usr/bin/env bash
# The main job: installs what is missing and builds cnnc; runs an example IR
# file (a ResNet-50 bottleneck in the cnn dialect) through cnnc-opt; then
# compiles examples/mobilenet_v2.cnn to a shared library (random weights: no
# checkpoint download is possible here), runs it on a sample input with
# cnnc-run, and prints the top-5 classes and the latency.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}

"$build/bin/cnnc-opt" "$root/examples/ir/resnet50_bottleneck.mlir" \
  --canonicalize --cnn-print-stats

"$build/bin/cnnc" "$root/examples/mobilenet_v2.cnn" --random-weights=1 \
  --emit=so -o "$build/libmobilenet_v2.so"
"$build/bin/cnnc-run" "$build/libmobilenet_v2.so" --seed 7 --bench 10

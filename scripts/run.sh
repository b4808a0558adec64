#!/usr/bin/env bash
# The main job: installs what is missing, builds cnnc, runs an example IR file
# (a ResNet-50 bottleneck in the cnn dialect) through cnnc-opt, then compiles
# examples/mobilenet_v2.cnn with cnnc and reports its layers and MACs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}

"$build/bin/cnnc-opt" "$root/examples/ir/resnet50_bottleneck.mlir" \
  --canonicalize --cnn-print-stats
"$build/bin/cnnc" "$root/examples/mobilenet_v2.cnn" |
  "$build/bin/cnnc-opt" --cnn-print-stats -o /dev/null

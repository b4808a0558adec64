#!/usr/bin/env bash
# The main job: installs what is missing, builds cnnc, and runs an example
# (a ResNet-50 bottleneck in the cnn dialect) through cnnc-opt: the IR after
# canonicalization, and the op counts and MACs of the block.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build=${CNNC_BUILD_DIR:-$root/build}
"$build/bin/cnnc-opt" "$root/examples/ir/resnet50_bottleneck.mlir" \
  --canonicalize --cnn-print-stats

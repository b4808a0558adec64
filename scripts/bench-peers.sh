#!/usr/bin/env bash
# cnnc against its peers, side by side in one interleaved run: ONNX Runtime
# (npm onnxruntime-node, models exported with torch.onnx.export) and PyTorch
# (TorchScript frozen + optimize_for_inference) on the layer set L1-L11
# (bench/layers/) and mobilenet_v2, shufflenet_v2_x1_0, resnet50 and
# resnext50_32x4d (examples/), on 1 and 2 threads, with the FMA peak and a
# DRAM bandwidth measured in the same rounds. Writes the tables into
# docs/performance.md (section "Peers", between the bench-peers markers) and
# the roofline plot docs/images/roofline.png; bench/peers/bench_peers.py
# describes the method.
#
# Usage: scripts/bench-peers.sh [--cases L1,L7,mobilenet_v2] [--rounds 15]
#          [--threads 1,2] [--seconds 0.25] [--doc auto|yes|no] [--no-verify]
# A run with every case and both thread counts rewrites the doc (about 20
# minutes on a 2-core machine); one with a subset prints its tables and
# leaves the doc alone unless given --doc yes. Generated files (libraries,
# ONNX models, node_modules, results.json) go to $CNNC_BUILD_DIR/peers
# (default build/peers). Installs python3-matplotlib and Node.js/npm from
# Debian when they are missing (not part of install-deps.sh: the tests do
# not need them), and onnxruntime-node into the build folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
ort_version=1.30.0

# Debian packages the peers need beyond install-deps.sh; only checks when present.
missing=()
for pkg in python3-matplotlib python3-torch python3-torchvision python3-numpy; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v cc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-peers: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# cnnc, cnnc-bench and cnnc-run as the sources are now (a no-op when built).
CNNC_BUILD_DIR=$build "$root/scripts/build.sh" >/dev/null

# onnxruntime-node in a folder of its own under the build directory;
# ONNXRUNTIME_NODE_INSTALL=skip: its install script would fetch GPU files.
node_dir=$build/peers/node
installed=$(node -p "try { require('$node_dir/node_modules/onnxruntime-node/package.json').version } catch (e) { '' }")
if [ "$installed" != "$ort_version" ]; then
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name": "cnnc-bench-peers", "private": true}' >"$node_dir/package.json"
  (cd "$node_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund \
    --loglevel=error "onnxruntime-node@$ort_version" >&2)
fi

command="scripts/bench-peers.sh${*:+ $*}"
exec /usr/bin/python3 "$root/bench/peers/bench_peers.py" --build-dir "$build" \
  --command "$command" "$@"

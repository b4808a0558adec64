#!/usr/bin/env bash
# Installs every Debian package cnnc needs to build and test. Idempotent: when everything
# is already present it only checks (no apt-get update, no network).
set -euo pipefail

packages=(
  # Toolchain and build system.
  cmake ninja-build ccache g++ git python3
  # LLVM/MLIR 19 (Debian 12 ships them in bookworm/main).
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools clang-19 lld-19
  # Libraries for helpers, unit tests and benchmarks.
  libfmt-dev catch2 libbenchmark-dev
  # Formatting check, the sanitizer runtimes for the AddressSanitizer build
  # and libFuzzer (libclang_rt.fuzzer, for scripts/fuzz.sh), and valgrind for
  # checking generated libraries.
  clang-format-19 libclang-rt-19-dev valgrind
  # PyTorch, the reference the shape rules are checked against (/usr/bin/python3).
  python3-torch python3-torchvision python3-numpy
  # pytest, pip and setuptools, for the Python package's tests
  # (tests/python, test_pip_install.py installs python/ with pip offline).
  python3-pytest python3-pip python3-setuptools
  # Graphviz's dot, which draws cnnc --emit=svg's picture of a model.
  graphviz
  # ONNX import: the ONNX library (protobuf model, checker, shape inference),
  # its Python package for the tests, and its node and PyTorch test cases.
  libonnx-dev libprotobuf-dev python3-onnx libonnx-testdata
  # Cross-compiling for aarch64 and running it (tests/lit/Target/CPU/
  # aarch64-qemu.test): qemu's user-mode emulator, the cross C compiler and
  # the cross libc that generated libraries link against.
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

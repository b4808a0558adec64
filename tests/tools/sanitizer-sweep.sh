#!/usr/bin/env bash
# Runs cnnc and cnnc-opt built with AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer over
# every malformed model, checkpoint and IR file of the test suite, every
# example (the small ones compiled down to shared libraries), and the Catch2
# unit tests, and fails if a sanitizer reports anything. Usage: sanitizer-sweep.sh ASAN_BUILD_DIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
# allow_user_poisoning=0: libMLIR.so is not instrumented, but the copies of
# LLVM's BumpPtrAllocator inlined into cnnc's instrumented attribute storage
# poison the rest of a new slab, which libMLIR's own copy then hands out
# without unpoisoning: a false use-after-poison on the next attribute.
export ASAN_OPTIONS=exitcode=86:detect_leaks=1:allow_user_poisoning=0
export UBSAN_OPTIONS=print_stacktrace=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=0
failures=0
check() { # check LOG COMMAND...: a sanitizer exit or report fails the sweep.
  local log=$1
  shift
  "$@" >"$log" 2>&1
  local status=$?
  runs=$((runs + 1))
  if [ "$status" -eq 86 ] || grep -qE "Sanitizer|runtime error:" "$log"; then
    failures=$((failures + 1))
    echo "SANITIZER REPORT: $*"
    head -30 "$log"
  fi
}

# Malformed models: every case of the frontend's error tests.
for test in "$root"/tests/lit/Frontend/errors/*.test; do
  dir="$work/$(basename "$test" .test)"
  mkdir -p "$dir"
  /usr/lib/llvm-19/bin/split-file "$test" "$dir"
  for model in "$dir"/*.cnn; do
    check "$work/log" "$build/bin/cnnc" "$model"
  done
done

# Models too large to commit, each past one of the frontend's limits.
python3 "$root/tests/tools/make_hostile_models.py" "$work/hostile"
for model in "$work"/hostile/*.cnn; do
  check "$work/log" "$build/bin/cnnc" "$model"
done

# Checkpoints, well-formed and broken.
make="$root/tests/tools/make_safetensors.py"
model="$work/tiny.cnn"
printf 'model tiny(x: f32[1, 3, 8, 8]) {\n  conv = conv2d(x, 4, 3)\n  return conv\n}\n' >"$model"
for corrupt in none truncated header-length bad-json overlap short; do
  file="$work/$corrupt.safetensors"
  if [ "$corrupt" = none ]; then
    python3 "$make" "$file" conv.weight:F32:4x3x3x3 conv.bias:F16:4 extra:I64:
  else
    python3 "$make" "$file" conv.weight:F32:4x3x3x3 conv.bias:F32:4 --corrupt "$corrupt"
  fi
  check "$work/log" "$build/bin/cnnc" "$model" --weights "$file"
done

# ONNX models, well-formed and broken (the cases of
# tests/lit/Importers/onnx-errors.test), through cnnc and cnnc-import.
make_onnx="$root/tests/onnx/make_model.py"
onnx="$work/onnx"
mkdir -p "$onnx"
for kind in tiny shuffle sub dynamic external external-missing bad-data \
  bad-shape unsupported-op unsupported-attr old-opset; do
  file="$onnx/$kind.onnx"
  /usr/bin/python3 "$make_onnx" "$kind" "$file"
  check "$work/log" "$build/bin/cnnc" "$file" -o "$onnx/$kind.mlir"
  check "$work/log" "$build/bin/cnnc-import" "$file" -o "$onnx/$kind.cnn" \
    --weights-out "$onnx/$kind.safetensors"
done
check "$work/log" "$build/bin/cnnc" "$onnx/tiny.onnx" -o "$onnx/libtiny.so"
check "$work/log" "$build/bin/cnnc" "$onnx/dynamic.onnx" \
  --input-shape image=2,3,8,8 -o "$onnx/dynamic.mlir"
head -c 60 "$onnx/tiny.onnx" >"$onnx/truncated.onnx"
check "$work/log" "$build/bin/cnnc" "$onnx/truncated.onnx"

# Every example, with random weights, and back through cnnc-opt.
for example in "$root"/examples/*.cnn; do
  check "$work/log" "$build/bin/cnnc" "$example" --random-weights=1 -o "$work/example.mlir"
  check "$work/log2" "$build/bin/cnnc-opt" "$work/example.mlir" --canonicalize --cnn-print-stats -o /dev/null
done

# The whole lowering pipeline, down to a shared library, on the small
# examples (one per operation family) and MobileNetV2 to loops.
for example in deformable_v2_block dilated_context resnext_block \
  se_resnet_block shufflenet_v1_unit vgg_stack; do
  check "$work/log" "$build/bin/cnnc" "$root/examples/$example.cnn" \
    --random-weights=1 -o "$work/lib$example.so"
done
check "$work/log" "$build/bin/cnnc" "$root/examples/mobilenet_v2.cnn" \
  --random-weights=1 --emit=loops -o /dev/null

# Every IR test input, including the invalid ones.
while IFS= read -r -d '' ir; do
  check "$work/log" "$build/bin/cnnc-opt" "$ir" --split-input-file --canonicalize -o /dev/null
done < <(find "$root/tests/lit/Dialect" -name '*.mlir' -print0)

# The unit tests (the safetensors reader on every truncation of a file).
check "$work/log" "$build/tests/unit/cnnc-unit-tests"

echo "sanitizer sweep: $runs runs, $failures with a sanitizer report"
[ "$failures" -eq 0 ]

// The IR after each pass, a textual pipeline, and timing, as in mlir-opt.
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(canonicalize,cnn-print-stats)' --mlir-print-ir-after-all 2>&1 | FileCheck %s
// RUN: cnnc-opt %s --canonicalize --mlir-print-ir-after=canonicalize --mlir-timing 2>&1 | FileCheck %s --check-prefix=AFTER

// CHECK: IR Dump After Canonicalizer (canonicalize)
// CHECK: cnn.channel_shuffle %arg0 groups 4
// CHECK: IR Dump After CNNPrintStats (cnn-print-stats)
// CHECK: func.func @shuffles
// AFTER: IR Dump After Canonicalizer (canonicalize)
// AFTER: Execution time report
func.func @shuffles(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x8x4x4xf32>
  %1 = cnn.channel_shuffle %0 groups 2 : tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

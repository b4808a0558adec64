// cnn.fused's kind is a #cnn.fusion_kind: one of cnnc's kinds or a plugin's
// by name. The op writes it as its name; the generic form shows the
// attribute, and both read back to the same op.
// RUN: cnnc-opt %s | FileCheck %s
// RUN: cnnc-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt | FileCheck %s

// CHECK-LABEL: func @kinds
// CHECK: cnn.fused "bottleneck"(%arg0, %arg1) {tile_rows = 2 : i64} :
// CHECK: cnn.fused "my_plugin_kind"(%{{.*}}, %arg1) :
// GENERIC: "cnn.fused"(%arg0, %arg1) <{kind = #cnn.fusion_kind<"bottleneck">, tile_rows = 2 : i64}>
// GENERIC: "cnn.fused"(%{{.*}}, %arg1) <{kind = #cnn.fusion_kind<"my_plugin_kind">}>
func.func @kinds(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.fused "bottleneck"(%x, %w) {tile_rows = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  %2 = cnn.fused "my_plugin_kind"(%0, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %3 = cnn.relu %1 : tensor<1x4x5x5xf32>
    cnn.yield %3 : tensor<1x4x5x5xf32>
  }
  return %2 : tensor<1x4x5x5xf32>
}

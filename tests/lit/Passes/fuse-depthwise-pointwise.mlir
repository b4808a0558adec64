// RUN: cnnc-opt %s --cnn-fuse-depthwise-pointwise --split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnn-fuse-depthwise-pointwise="tile-bytes=100" --split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: not cnnc-opt %s --cnn-fuse-depthwise-pointwise="tile-bytes=0" 2>&1 | FileCheck %s --check-prefix=BAD

// MobileNetV2's projection half: depthwise, relu6, pointwise, residual add.
// CHECK-LABEL: func @separable
// CHECK: cnn.fused "depthwise_pointwise"(%arg0, %arg1, %arg2, %arg3) {tile_rows = 10 : i64}
// CHECK: cnn.conv2d {{.*}} groups 8
// CHECK-NEXT: cnn.relu6
// CHECK-NEXT: cnn.conv2d
// CHECK-NEXT: cnn.add
// CHECK-NEXT: cnn.yield
// 100 bytes hold no whole row of 8 channels x 10 columns: one row a tile.
// SMALL-LABEL: func @separable
// SMALL: tile_rows = 1
// BAD: tile-bytes must be positive, got 0
func.func @separable(%x: tensor<1x8x10x10xf32>, %dw: tensor<8x1x3x3xf32>, %pw: tensor<16x8x1x1xf32>, %r: tensor<1x16x10x10xf32>) -> tensor<1x16x10x10xf32> {
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 8 : (tensor<1x8x10x10xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x10x10xf32>
  %1 = cnn.relu6 %0 : tensor<1x8x10x10xf32>
  %2 = cnn.conv2d %1, %pw : (tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x10x10xf32>
  %3 = cnn.add %2, %r : tensor<1x16x10x10xf32>, tensor<1x16x10x10xf32> -> tensor<1x16x10x10xf32>
  return %3 : tensor<1x16x10x10xf32>
}

// -----

// Refused: the depthwise result is also a model output.
// CHECK-LABEL: func @shared_intermediate
// CHECK-NOT: cnn.fused
func.func @shared_intermediate(%x: tensor<1x8x10x10xf32>, %dw: tensor<8x1x3x3xf32>, %pw: tensor<16x8x1x1xf32>) -> (tensor<1x8x10x10xf32>, tensor<1x16x10x10xf32>) {
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 8 : (tensor<1x8x10x10xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x10x10xf32>
  %1 = cnn.conv2d %0, %pw : (tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x10x10xf32>
  return %0, %1 : tensor<1x8x10x10xf32>, tensor<1x16x10x10xf32>
}

// -----

// Refused: a strided 1x1 convolution is not a pointwise consumer of whole
// rows, and a depthwise with a channel multiplier is not matched.
// CHECK-LABEL: func @strided_pointwise
// CHECK-NOT: cnn.fused
// CHECK-LABEL: func @multiplier
// CHECK-NOT: cnn.fused
func.func @strided_pointwise(%x: tensor<1x8x10x10xf32>, %dw: tensor<8x1x3x3xf32>, %pw: tensor<16x8x1x1xf32>) -> tensor<1x16x5x5xf32> {
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 8 : (tensor<1x8x10x10xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x10x10xf32>
  %1 = cnn.conv2d %0, %pw stride [2, 2] : (tensor<1x8x10x10xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x5x5xf32>
  return %1 : tensor<1x16x5x5xf32>
}
func.func @multiplier(%x: tensor<1x8x10x10xf32>, %dw: tensor<16x1x3x3xf32>, %pw: tensor<16x16x1x1xf32>) -> tensor<1x16x10x10xf32> {
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 8 : (tensor<1x8x10x10xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x10x10xf32>
  %1 = cnn.conv2d %0, %pw : (tensor<1x16x10x10xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x10x10xf32>
  return %1 : tensor<1x16x10x10xf32>
}

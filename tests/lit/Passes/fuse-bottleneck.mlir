// RUN: cnnc-opt %s --cnn-fuse-bottleneck --split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnn-fuse-bottleneck="tile-bytes=1" --split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: cnnc-opt %s --cnn-fuse-bottleneck="dense-middle=true" --split-input-file | FileCheck %s --check-prefix=DENSE
// RUN: not cnnc-opt %s --cnn-fuse-bottleneck="tile-bytes=-5" 2>&1 | FileCheck %s --check-prefix=BAD

// MobileNetV2's inverted residual: expand, relu6, depthwise, relu6,
// project, residual add.
// CHECK-LABEL: func @inverted_residual
// CHECK: cnn.fused "bottleneck"(%arg0, %arg1, %arg2, %arg3) {tile_rows = 8 : i64}
// CHECK: cnn.conv2d
// CHECK-NEXT: cnn.relu6
// CHECK-NEXT: cnn.conv2d {{.*}} groups 24
// CHECK-NEXT: cnn.relu6
// CHECK-NEXT: cnn.conv2d
// CHECK-NEXT: cnn.add
// CHECK-NEXT: cnn.yield
// One output row a tile when the budget holds no row.
// SMALL-LABEL: func @inverted_residual
// SMALL: tile_rows = 1
// BAD: tile-bytes must be positive, got -5
func.func @inverted_residual(%x: tensor<1x4x8x8xf32>, %e: tensor<24x4x1x1xf32>, %d: tensor<24x1x3x3xf32>, %p: tensor<4x24x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %e : (tensor<1x4x8x8xf32>, tensor<24x4x1x1xf32>) -> tensor<1x24x8x8xf32>
  %1 = cnn.relu6 %0 : tensor<1x24x8x8xf32>
  %2 = cnn.conv2d %1, %d pad [1, 1, 1, 1] groups 24 : (tensor<1x24x8x8xf32>, tensor<24x1x3x3xf32>) -> tensor<1x24x8x8xf32>
  %3 = cnn.relu6 %2 : tensor<1x24x8x8xf32>
  %4 = cnn.conv2d %3, %p : (tensor<1x24x8x8xf32>, tensor<4x24x1x1xf32>) -> tensor<1x4x8x8xf32>
  %5 = cnn.add %4, %x : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %5 : tensor<1x4x8x8xf32>
}

// -----

// ResNet's bottleneck with a strided 3x3 (one group) in the middle: only
// with dense-middle.
// CHECK-LABEL: func @strided_resnet
// CHECK-NOT: cnn.fused
// DENSE-LABEL: func @strided_resnet
// DENSE: cnn.fused "bottleneck"
// DENSE: cnn.conv2d {{.*}} stride [2, 2] pad [1, 1, 1, 1]
func.func @strided_resnet(%x: tensor<1x16x8x8xf32>, %e: tensor<4x16x1x1xf32>, %m: tensor<4x4x3x3xf32>, %p: tensor<16x4x1x1xf32>) -> tensor<1x16x4x4xf32> {
  %0 = cnn.conv2d %x, %e : (tensor<1x16x8x8xf32>, tensor<4x16x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.conv2d %1, %m stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  %3 = cnn.relu %2 : tensor<1x4x4x4xf32>
  %4 = cnn.conv2d %3, %p : (tensor<1x4x4x4xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x4x4xf32>
  return %4 : tensor<1x16x4x4xf32>
}

// -----

// Refused: the expansion's result is also a model output; a grouped (not
// depthwise) middle convolution; a strided expansion (also with
// dense-middle).
// DENSE-LABEL: func @shared_expansion
// DENSE-NOT: cnn.fused
// DENSE-LABEL: func @grouped_middle
// DENSE-NOT: cnn.fused
// DENSE-LABEL: func @strided_expansion
// DENSE-NOT: cnn.fused
// CHECK-LABEL: func @shared_expansion
// CHECK-NOT: cnn.fused
// CHECK-LABEL: func @grouped_middle
// CHECK-NOT: cnn.fused
// CHECK-LABEL: func @strided_expansion
// CHECK-NOT: cnn.fused
func.func @shared_expansion(%x: tensor<1x4x8x8xf32>, %e: tensor<8x4x1x1xf32>, %m: tensor<8x8x3x3xf32>, %p: tensor<4x8x1x1xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>) {
  %0 = cnn.conv2d %x, %e : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = cnn.conv2d %0, %m pad [1, 1, 1, 1] : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = cnn.conv2d %1, %p : (tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %0, %2 : tensor<1x8x8x8xf32>, tensor<1x4x8x8xf32>
}
func.func @grouped_middle(%x: tensor<1x4x8x8xf32>, %e: tensor<8x4x1x1xf32>, %m: tensor<8x4x3x3xf32>, %p: tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = cnn.conv2d %x, %e : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = cnn.conv2d %0, %m pad [1, 1, 1, 1] groups 2 : (tensor<1x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = cnn.conv2d %1, %p : (tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}
func.func @strided_expansion(%x: tensor<1x4x8x8xf32>, %e: tensor<8x4x1x1xf32>, %m: tensor<8x8x3x3xf32>, %p: tensor<4x8x1x1xf32>) -> tensor<1x4x4x4xf32> {
  %0 = cnn.conv2d %x, %e stride [2, 2] : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.conv2d %0, %m pad [1, 1, 1, 1] : (tensor<1x8x4x4xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnn.conv2d %1, %p : (tensor<1x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x4x4xf32>
  return %2 : tensor<1x4x4x4xf32>
}

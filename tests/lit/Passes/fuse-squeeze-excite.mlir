// RUN: cnnc-opt %s --cnn-fuse-squeeze-excite --split-input-file | FileCheck %s

// SE-ResNet: convolution, pool, 1x1 reduce, relu, 1x1 expand, sigmoid,
// scale, residual add, relu: one fused op, in program order.
// CHECK-LABEL: func @se_resnet
// CHECK: %[[F:.*]] = cnn.fused "squeeze_excite"(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<1x8x6x6xf32>, %[[W:.*]]: tensor<8x8x3x3xf32>, %[[W1:.*]]: tensor<2x8x1x1xf32>, %[[W2:.*]]: tensor<8x2x1x1xf32>, %[[R:.*]]: tensor<1x8x6x6xf32>):
// CHECK-NEXT: %[[C:.*]] = cnn.conv2d %[[X]], %[[W]]
// CHECK-NEXT: %[[P:.*]] = cnn.global_avg_pool %[[C]]
// CHECK-NEXT: %[[E1:.*]] = cnn.conv2d %[[P]], %[[W1]]
// CHECK-NEXT: %[[E2:.*]] = cnn.relu %[[E1]]
// CHECK-NEXT: %[[E3:.*]] = cnn.conv2d %[[E2]], %[[W2]]
// CHECK-NEXT: %[[S:.*]] = cnn.sigmoid %[[E3]]
// CHECK-NEXT: %[[M:.*]] = cnn.mul %[[C]], %[[S]]
// CHECK-NEXT: %[[A:.*]] = cnn.add %[[M]], %[[R]]
// CHECK-NEXT: %[[Y:.*]] = cnn.relu %[[A]]
// CHECK-NEXT: cnn.yield %[[Y]]
// CHECK: return %[[F]]
func.func @se_resnet(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x3x3xf32>, %w1: tensor<2x8x1x1xf32>, %w2: tensor<8x2x1x1xf32>, %r: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %1 = cnn.global_avg_pool %0 : tensor<1x8x6x6xf32> -> tensor<1x8x1x1xf32>
  %2 = cnn.conv2d %1, %w1 : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %3 = cnn.relu %2 : tensor<1x2x1x1xf32>
  %4 = cnn.conv2d %3, %w2 : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %5 = cnn.sigmoid %4 : tensor<1x8x1x1xf32>
  %6 = cnn.mul %0, %5 : tensor<1x8x6x6xf32>, tensor<1x8x1x1xf32> -> tensor<1x8x6x6xf32>
  %7 = cnn.add %6, %r : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  %8 = cnn.relu %7 : tensor<1x8x6x6xf32>
  return %8 : tensor<1x8x6x6xf32>
}

// -----

// MobileNetV3 / EfficientNet: a depthwise convolution and its activation
// produce the map; the excitation is dense layers on the flattened vector,
// the scale comes first in the mul; nothing follows it.
// CHECK-LABEL: func @depthwise_dense
// CHECK: cnn.fused "squeeze_excite"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: cnn.conv2d {{.*}} groups 4
// CHECK-NEXT: cnn.hard_swish
// CHECK-NEXT: cnn.global_avg_pool
// CHECK-NEXT: cnn.flatten
// CHECK-NEXT: cnn.dense
// CHECK-NEXT: cnn.relu
// CHECK-NEXT: cnn.dense
// CHECK-NEXT: cnn.hard_sigmoid
// CHECK-NEXT: cnn.reshape
// CHECK-NEXT: cnn.mul
// CHECK-NEXT: cnn.yield
func.func @depthwise_dense(%x: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>, %d1: tensor<2x4xf32>, %d2: tensor<4x2xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] groups 4 : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.hard_swish %0 : tensor<1x4x5x5xf32>
  %2 = cnn.global_avg_pool %1 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %3 = cnn.flatten %2 : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
  %4 = cnn.dense %3, %d1 : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  %5 = cnn.relu %4 : tensor<1x2xf32>
  %6 = cnn.dense %5, %d2 : (tensor<1x2xf32>, tensor<4x2xf32>) -> tensor<1x4xf32>
  %7 = cnn.hard_sigmoid %6 : tensor<1x4xf32>
  %8 = cnn.reshape %7 to [1, 4, 1, 1] : tensor<1x4xf32>
  %9 = cnn.mul %8, %1 : tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
  return %9 : tensor<1x4x5x5xf32>
}

// -----

// Refused: the map has a third user (here a function result); the pooled
// vector feeds something besides the scale; the map is not a convolution's;
// the convolution's raw result is also read past its activation.
// CHECK-LABEL: func @refused
// CHECK-NOT: cnn.fused
// CHECK: return
func.func @refused(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.global_avg_pool %0 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %2 = cnn.sigmoid %1 : tensor<1x4x1x1xf32>
  %3 = cnn.mul %0, %2 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>

  %4 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %5 = cnn.global_avg_pool %4 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %6 = cnn.sigmoid %5 : tensor<1x4x1x1xf32>
  %7 = cnn.mul %4, %6 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>

  %8 = cnn.global_avg_pool %x : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %9 = cnn.mul %x, %8 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>

  %10 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %11 = cnn.relu %10 : tensor<1x4x5x5xf32>
  %12 = cnn.global_avg_pool %11 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %13 = cnn.mul %11, %12 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
  %14 = cnn.add %13, %10 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
  return %0, %3, %6, %7, %9, %14 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>
}

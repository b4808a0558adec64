// RUN: cnnc-opt %s --cnn-fuse-epilogue --split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnn-fuse-epilogue="binary-ops=false" --split-input-file | FileCheck %s --check-prefix=UNARY

// A ResNet bottleneck's last convolution: bias, residual add and relu.
// CHECK-LABEL: func @residual
// CHECK: %[[F:.*]] = cnn.fused "conv_epilogue"(%arg0, %arg1, %arg2, %arg3)
// CHECK: ^bb0(%[[X:.*]]: tensor<1x8x6x6xf32>, %[[W:.*]]: tensor<8x8x1x1xf32>, %[[B:.*]]: tensor<8xf32>, %[[R:.*]]: tensor<1x8x6x6xf32>):
// CHECK-NEXT: %[[C:.*]] = cnn.conv2d %[[X]], %[[W]] bias %[[B]]
// CHECK-NEXT: %[[A:.*]] = cnn.add %[[C]], %[[R]]
// CHECK-NEXT: %[[Y:.*]] = cnn.relu %[[A]]
// CHECK-NEXT: cnn.yield %[[Y]]
// CHECK: return %[[F]]
// UNARY-LABEL: func @residual
// UNARY: cnn.add
// UNARY-NOT: cnn.fused
func.func @residual(%x: tensor<1x8x6x6xf32>, %w: tensor<8x8x1x1xf32>, %b: tensor<8xf32>, %r: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  %1 = cnn.add %0, %r : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  %2 = cnn.relu %1 : tensor<1x8x6x6xf32>
  return %2 : tensor<1x8x6x6xf32>
}

// -----

// Activations only: the chain is taken by both settings.
// CHECK-LABEL: func @activations
// CHECK: cnn.fused "conv_epilogue"
// CHECK: cnn.hard_swish
// CHECK: cnn.clip
// UNARY-LABEL: func @activations
// UNARY: cnn.fused "conv_epilogue"
func.func @activations(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.hard_swish %0 : tensor<1x4x5x5xf32>
  %2 = cnn.clip %1 min 0.0 max 1.0 : tensor<1x4x5x5xf32>
  return %2 : tensor<1x4x5x5xf32>
}

// -----

// A per-channel scale (squeeze-and-excitation) broadcasts the other operand.
// CHECK-LABEL: func @channel_scale
// CHECK: cnn.fused "conv_epilogue"
// CHECK: cnn.mul
// CHECK: cnn.yield
func.func @channel_scale(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>, %s: tensor<1x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.mul %0, %s : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
  return %1 : tensor<1x4x5x5xf32>
}

// -----

// Refused: the convolution's result has another user (here a model output),
// so it must be stored anyway.
// CHECK-LABEL: func @shared_intermediate
// CHECK-NOT: cnn.fused
// CHECK: cnn.conv2d
// CHECK: cnn.relu
func.func @shared_intermediate(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.relu %0 : tensor<1x4x5x5xf32>
  return %0, %1 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>
}

// -----

// Refused: the add broadcasts the convolution's result itself (a [1, 1]
// image against a full one), which would change the chain's shape.
// CHECK-LABEL: func @broadcast_chain_value
// CHECK-NOT: cnn.fused
func.func @broadcast_chain_value(%x: tensor<1x4x1x1xf32>, %w: tensor<4x4x1x1xf32>, %r: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x1x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %1 = cnn.add %0, %r : tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
  return %1 : tensor<1x4x5x5xf32>
}

// -----

// The chain stops at the first op that is not element-wise; a convolution
// without an epilogue is left alone.
// CHECK-LABEL: func @stops_at_pool
// CHECK: cnn.fused "conv_epilogue"
// CHECK: cnn.relu
// CHECK: cnn.yield
// CHECK: cnn.max_pool2d
// CHECK: cnn.conv2d
// CHECK-NOT: cnn.fused
func.func @stops_at_pool(%x: tensor<1x4x4x4xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %1 = cnn.relu %0 : tensor<1x4x4x4xf32>
  %2 = cnn.max_pool2d %1 kernel [2, 2] stride [2, 2] : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
  %3 = cnn.conv2d %2, %w : (tensor<1x4x2x2xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  return %3 : tensor<1x4x2x2xf32>
}

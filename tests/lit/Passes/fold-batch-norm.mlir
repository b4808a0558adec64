// cnn-fold-batch-norm: a batch norm after a convolution or dense layer that
// nothing else reads becomes part of that layer's weights and bias.
// RUN: cnnc-opt %s --cnn-fold-batch-norm --canonicalize -split-input-file | FileCheck %s

// Channel 0: scale 2 / sqrt(3 + 1) = 1, bias (1.5 - 0.5) * 1 + 0.25 = 1.25.
// Channel 1: scale 1 / sqrt(15 + 1) = 0.25, bias (3 + 1) * 0.25 + 0 = 1.
// Filter [4, 8] becomes [4, 2]; f32 4.0, 2.0 = 0x40800000, 0x40000000.
// CHECK-LABEL: func @conv_then_batch_norm
// CHECK-DAG: %[[W:.*]] = cnn.weight "conv.weight" = dense_resource<[[WB:.*]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = cnn.weight "conv.bias" = dense_resource<[[BB:.*]]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = cnn.conv2d %arg0, %[[W]] bias %[[B]] : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK: [[WB]]: "0x040000000000804000000040"
// CHECK: [[BB]]: "0x040000000000A03F0000803F"
func.func @conv_then_batch_norm(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = cnn.weight "conv.weight" = dense<[[[[4.0]]], [[[8.0]]]]> : tensor<2x1x1x1xf32>
  %b = cnn.weight "conv.bias" = dense<[1.5, 3.0]> : tensor<2xf32>
  %m = cnn.weight "bn.running_mean" = dense<[0.5, -1.0]> : tensor<2xf32>
  %v = cnn.weight "bn.running_var" = dense<[3.0, 15.0]> : tensor<2xf32>
  %g = cnn.weight "bn.weight" = dense<[2.0, 1.0]> : tensor<2xf32>
  %s = cnn.weight "bn.bias" = dense<[0.25, 0.0]> : tensor<2xf32>
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = cnn.batch_norm %0 mean %m variance %v scale %g shift %s epsilon 1.0 : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// A dense layer without bias, and a non-affine batch norm.
// CHECK-LABEL: func @dense_then_batch_norm
// CHECK: cnn.dense %arg0, %{{.*}} bias %{{.*}} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<1x1xf32>
// CHECK-NOT: cnn.batch_norm
func.func @dense_then_batch_norm(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = cnn.weight "fc.weight" = dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %m = cnn.weight "bn.running_mean" = dense<[1.0]> : tensor<1xf32>
  %v = cnn.weight "bn.running_var" = dense<[4.0]> : tensor<1xf32>
  %0 = cnn.dense %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  %1 = cnn.batch_norm %0 mean %m variance %v epsilon 0.0 : (tensor<1x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  return %1 : tensor<1x1xf32>
}

// -----

// Refused: the convolution's result has another user.
// CHECK-LABEL: func @shared_convolution
// CHECK: cnn.conv2d
// CHECK: cnn.batch_norm
func.func @shared_convolution(%x: tensor<1x1x3x3xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
  %w = cnn.weight "conv.weight" = dense<2.0> : tensor<1x1x1x1xf32>
  %m = cnn.weight "bn.running_mean" = dense<1.0> : tensor<1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = cnn.batch_norm %0 mean %m variance %m : (tensor<1x1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
}

// -----

// Refused: parameters without values (not yet bound).
// CHECK-LABEL: func @unbound
// CHECK: cnn.batch_norm
func.func @unbound(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w = cnn.weight "conv.weight" : tensor<1x1x1x1xf32>
  %m = cnn.weight "bn.running_mean" : tensor<1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = cnn.batch_norm %0 mean %m variance %m : (tensor<1x1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// Refused: the batch norm reads a function argument, not a layer.
// CHECK-LABEL: func @no_layer
// CHECK: cnn.batch_norm
func.func @no_layer(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %m = cnn.weight "bn.running_mean" = dense<1.0> : tensor<1xf32>
  %1 = cnn.batch_norm %x mean %m variance %m : (tensor<1x1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

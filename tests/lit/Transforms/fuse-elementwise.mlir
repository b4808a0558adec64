// RUN: cnnc-opt %s --cnn-lower-to-linalg --cnn-fuse-elementwise --split-input-file | FileCheck %s

// DenseNet's pre-activation: batch norm, then relu, one loop.
// CHECK-LABEL: func @norm_relu
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%arg0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
// CHECK: math.sqrt
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return %[[G]]
func.func @norm_relu(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %m = cnn.weight "m" = dense<[0.5, -0.5]> : tensor<2xf32>
  %v = cnn.weight "v" = dense<[1.5, 2.0]> : tensor<2xf32>
  %s = cnn.weight "s" = dense<[0.25, 3.0]> : tensor<2xf32>
  %b = cnn.weight "b" = dense<[1.0, -1.0]> : tensor<2xf32>
  %0 = cnn.batch_norm %x mean %m variance %v scale %s shift %b : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = cnn.relu %0 : tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// A squeeze-and-excitation tail: scale, residual add, relu, one loop. The
// gate (a sigmoid on [1, 2, 1, 1], read at every pixel) stays a loop of its
// own: merged, it would be recomputed for every element.
// CHECK-LABEL: func @scale_add_relu
// CHECK: %[[GATE:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<1x2x1x1xf32>)
// CHECK: math.exp
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%arg0, %[[GATE]], %arg2 : tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>)
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return %[[G]]
func.func @scale_add_relu(%x: tensor<1x2x3x3xf32>, %e: tensor<1x2x1x1xf32>, %r: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %s = cnn.sigmoid %e : tensor<1x2x1x1xf32>
  %0 = cnn.mul %x, %s : tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x3x3xf32>
  %1 = cnn.add %0, %r : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  %2 = cnn.relu %1 : tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// Left alone: a producer with a second user (merging would compute it
// twice), and a convolution's epilogue (applied in registers later).
// CHECK-LABEL: func @refused
// CHECK: %[[S:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x2x3x3xf32>)
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x2x3x3xf32>)
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} outs(%[[CONV]] : tensor<1x2x3x3xf32>) attrs = {cnnc.epilogue}
// CHECK: %[[NEG:.*]] = linalg.generic {{.*}} ins(%[[EPI]] : tensor<1x2x3x3xf32>)
// CHECK: return %[[R]], %[[T]], %[[NEG]]
func.func @refused(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = cnn.sigmoid %x : tensor<1x2x3x3xf32>
  %1 = cnn.relu %0 : tensor<1x2x3x3xf32>
  %2 = cnn.tanh %0 : tensor<1x2x3x3xf32>
  %3 = cnn.fused "conv_epilogue"(%x, %w) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  ^bb0(%a: tensor<1x2x3x3xf32>, %b: tensor<2x2x1x1xf32>):
    %c = cnn.conv2d %a, %b : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
    %r = cnn.relu %c : tensor<1x2x3x3xf32>
    cnn.yield %r : tensor<1x2x3x3xf32>
  }
  %4 = cnn.leaky_relu %3 negative_slope 0.1 : tensor<1x2x3x3xf32>
  return %1, %2, %4 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

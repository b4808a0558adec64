// cnn-fold-constants: ops whose operands are all valued parameters are
// evaluated at compile time into new parameters; anything that depends on
// an input, or on a parameter without values, or that is a convolution,
// stays. The folded values are checked in the resource blobs at the end
// (4-byte alignment, then little-endian f32s), and the printed IR parses.
// RUN: cnnc-opt %s --cnn-fold-constants --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-fold-constants | cnnc-opt --canonicalize | FileCheck %s

// relu([-1, 2, -3, 0.5]) = [0, 2, 0, 0.5]
// CHECK-LABEL: func @unary
// CHECK-NEXT: %[[W:.*]] = cnn.weight "relu(w)" = dense_resource<relu_w_> : tensor<4xf32>
// CHECK-NEXT: return %[[W]]
func.func @unary() -> tensor<4xf32> {
  %w = cnn.weight "w" = dense<[-1.0, 2.0, -3.0, 0.5]> : tensor<4xf32>
  %r = cnn.relu %w : tensor<4xf32>
  return %r : tensor<4xf32>
}

// [1, 2] as [1,2,1,1] + [10, 20, 30] as [1,1,1,3]:
// [[11, 21, 31], [12, 22, 32]]
// CHECK-LABEL: func @broadcast
// CHECK-NEXT: %[[W:.*]] = cnn.weight "add(b, a)" = dense_resource<add_b__a_> : tensor<1x2x1x3xf32>
// CHECK-NEXT: return %[[W]]
func.func @broadcast() -> tensor<1x2x1x3xf32> {
  %a = cnn.weight "a" = dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %b = cnn.weight "b" = dense<[[[[10.0, 20.0, 30.0]]]]> : tensor<1x1x1x3xf32>
  %s = cnn.add %b, %a : tensor<1x1x1x3xf32>, tensor<1x2x1x1xf32> -> tensor<1x2x1x3xf32>
  return %s : tensor<1x2x1x3xf32>
}

// Channels [0, 1, 2, 3] shuffled in 2 groups: [0, 2, 1, 3]. A concat of
// [3] and [0, 1], then a slice of its first two channels: [3, 0].
// CHECK-LABEL: func @channels
// CHECK-NEXT: %[[S:.*]] = cnn.weight "channel_shuffle(c)" = dense_resource<channel_shuffle_c_> : tensor<1x4x1x1xf32>
// CHECK-NEXT: %[[T:.*]] = cnn.weight "slice(concat(p, q))" = dense_resource<slice_concat_p__q__> : tensor<1x2x1x1xf32>
// CHECK-NEXT: return %[[S]], %[[T]]
func.func @channels() -> (tensor<1x4x1x1xf32>, tensor<1x2x1x1xf32>) {
  %c = cnn.weight "c" = dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]]]]> : tensor<1x4x1x1xf32>
  %s = cnn.channel_shuffle %c groups 2 : tensor<1x4x1x1xf32>
  %p = cnn.weight "p" = dense<3.0> : tensor<1x1x1x1xf32>
  %q = cnn.weight "q" = dense<[[[[0.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  %cat = cnn.concat %p, %q : tensor<1x1x1x1xf32>, tensor<1x2x1x1xf32> -> tensor<1x3x1x1xf32>
  %t = cnn.slice %cat offset 0 size 2 : tensor<1x3x1x1xf32> -> tensor<1x2x1x1xf32>
  return %s, %t : tensor<1x4x1x1xf32>, tensor<1x2x1x1xf32>
}

// Not folded: an input operand, a parameter without values, a convolution.
// CHECK-LABEL: func @kept
// CHECK: cnn.add %arg0
// CHECK: cnn.relu %{{.*}} : tensor<2xf32>
// CHECK: cnn.conv2d
func.func @kept(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<1x1x1x1xf32>) {
  %w = cnn.weight "w" = dense<[1.0, 2.0]> : tensor<2xf32>
  %a = cnn.add %x, %w : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %u = cnn.weight "unbound" : tensor<2xf32>
  %r = cnn.relu %u : tensor<2xf32>
  %i = cnn.weight "i" = dense<1.0> : tensor<1x1x2x2xf32>
  %f = cnn.weight "f" = dense<1.0> : tensor<1x1x2x2xf32>
  %c = cnn.conv2d %i, %f : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  return %a, %r, %c : tensor<2xf32>, tensor<2xf32>, tensor<1x1x1x1xf32>
}

// CHECK: relu_w_: "0x040000000000000000000040000000000000003F"
// CHECK: add_b__a_: "0x04000000000030410000A8410000F841000040410000B04100000042"
// CHECK: channel_shuffle_c_: "0x0400000000000000000000400000803F00004040"
// CHECK: slice_concat_p__q__: "0x040000000000404000000000"

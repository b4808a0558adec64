// RUN: cnnc-opt %s --cnn-fold-channel-shuffle --split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnn-fold-channel-shuffle="max-groups=2" --split-input-file | FileCheck %s --check-prefix=TWO

// ShuffleNet v2: concat of two branches, then shuffle by two.
// CHECK-LABEL: func @concat_then_shuffle
// CHECK-NOT: cnn.channel_shuffle
// CHECK: %[[C:.*]] = cnn.concat %arg0, %arg1 interleave : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32> -> tensor<1x8x3x3xf32>
// CHECK: return %[[C]]
func.func @concat_then_shuffle(%a: tensor<1x4x3x3xf32>, %b: tensor<1x4x3x3xf32>) -> tensor<1x8x3x3xf32> {
  %0 = cnn.concat %a, %b : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32> -> tensor<1x8x3x3xf32>
  %1 = cnn.channel_shuffle %0 groups 2 : tensor<1x8x3x3xf32>
  return %1 : tensor<1x8x3x3xf32>
}

// -----

// ShuffleNet v1: grouped 1x1 convolution (3 groups), relu, shuffle. The
// shuffle moves above the relu, the convolution splits into one per group,
// and the relu goes to each of them.
// CHECK-LABEL: func @grouped_conv_then_shuffle
// CHECK-NOT: cnn.channel_shuffle
// CHECK-DAG: %[[W0:.*]] = cnn.weight "w[group 0]" = dense_resource<w_group_0_> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[W2:.*]] = cnn.weight "w[group 2]"
// CHECK-DAG: %[[X0:.*]] = cnn.slice %arg0 offset 0 size 2
// CHECK-DAG: %[[X2:.*]] = cnn.slice %arg0 offset 4 size 2
// CHECK-DAG: %[[C0:.*]] = cnn.conv2d %[[X0]], %[[W0]] : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-DAG: %[[R0:.*]] = cnn.relu %[[C0]]
// CHECK: %[[Y:.*]] = cnn.concat %[[R0]], %{{.*}}, %{{.*}} interleave
// CHECK: return %[[Y]]
// The first group's filter holds the first two output channels: 0, 1, 2, 3.
// CHECK: w_group_0_: "0x04000000000000000000803F0000004000004040"
// TWO-LABEL: func @grouped_conv_then_shuffle
// TWO: cnn.channel_shuffle
func.func @grouped_conv_then_shuffle(%x: tensor<1x6x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %w = cnn.weight "w" = dense<[[[[0.0]], [[1.0]]], [[[2.0]], [[3.0]]], [[[4.0]], [[5.0]]], [[[6.0]], [[7.0]]], [[[8.0]], [[9.0]]], [[[10.0]], [[11.0]]]]> : tensor<6x2x1x1xf32>
  %0 = cnn.conv2d %x, %w groups 3 : (tensor<1x6x3x3xf32>, tensor<6x2x1x1xf32>) -> tensor<1x6x3x3xf32>
  %1 = cnn.relu %0 : tensor<1x6x3x3xf32>
  %2 = cnn.channel_shuffle %1 groups 3 : tensor<1x6x3x3xf32>
  return %2 : tensor<1x6x3x3xf32>
}

// -----

// Left alone: the concat has another user, the groups differ from the
// number of inputs, the grouped convolution's filter has no values.
// CHECK-LABEL: func @refused
// CHECK-COUNT-3: cnn.channel_shuffle
func.func @refused(%a: tensor<1x4x3x3xf32>, %b: tensor<1x4x3x3xf32>, %x: tensor<1x6x3x3xf32>, %w: tensor<6x2x1x1xf32>) -> (tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x6x3x3xf32>) {
  %0 = cnn.concat %a, %b : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32> -> tensor<1x8x3x3xf32>
  %1 = cnn.channel_shuffle %0 groups 2 : tensor<1x8x3x3xf32>
  %2 = cnn.concat %b, %a : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32> -> tensor<1x8x3x3xf32>
  %3 = cnn.channel_shuffle %2 groups 4 : tensor<1x8x3x3xf32>
  %4 = cnn.conv2d %x, %w groups 3 : (tensor<1x6x3x3xf32>, tensor<6x2x1x1xf32>) -> tensor<1x6x3x3xf32>
  %5 = cnn.channel_shuffle %4 groups 3 : tensor<1x6x3x3xf32>
  return %0, %1, %3, %5 : tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x6x3x3xf32>
}

// -----

// A shuffle read only by one-group convolutions: their filters' input
// channels are permuted at compile time. Shuffled channel k * 2 + i is
// channel i * 2 + k, so the filter [0, 1, 2, 3] becomes [0, 2, 1, 3].
// CHECK-LABEL: func @shuffle_into_weights
// CHECK-NOT: cnn.channel_shuffle
// CHECK: %[[W:.*]] = cnn.weight "w[input shuffled by 2]" = dense_resource<[[BLOB:.*]]> : tensor<1x4x1x1xf32>
// CHECK: %[[C:.*]] = cnn.conv2d %arg0, %[[W]]
// CHECK: %[[V:.*]] = cnn.weight "v[input shuffled by 2]"
// CHECK: %[[D:.*]] = cnn.conv2d %arg0, %[[V]]
// CHECK: return %[[C]], %[[D]]
// CHECK: [[BLOB]]: "0x0400000000000000000000400000803F00004040"
func.func @shuffle_into_weights(%x: tensor<1x4x3x3xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x2x1x1xf32>) {
  %w = cnn.weight "w" = dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]]]]> : tensor<1x4x1x1xf32>
  %v = cnn.weight "v" = dense<1.0> : tensor<2x4x3x3xf32>
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x4x3x3xf32>
  %1 = cnn.conv2d %0, %w : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x3x3xf32>
  %2 = cnn.conv2d %0, %v : (tensor<1x4x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %1, %2 : tensor<1x1x3x3xf32>, tensor<1x2x1x1xf32>
}

// -----

// Left alone: a shuffle also read by another op, and one read by a grouped
// convolution (whose groups the permutation would cross).
// CHECK-LABEL: func @shuffle_not_into_weights
// CHECK: cnn.channel_shuffle
// CHECK: cnn.channel_shuffle
func.func @shuffle_not_into_weights(%x: tensor<1x4x3x3xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %w = cnn.weight "w" = dense<1.0> : tensor<1x4x1x1xf32>
  %g = cnn.weight "g" = dense<1.0> : tensor<4x2x1x1xf32>
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x4x3x3xf32>
  %1 = cnn.conv2d %0, %w : (tensor<1x4x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x3x3xf32>
  %2 = cnn.channel_shuffle %x groups 2 : tensor<1x4x3x3xf32>
  %3 = cnn.conv2d %2, %g groups 2 : (tensor<1x4x3x3xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x3x3xf32>
  return %1, %0, %3 : tensor<1x1x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}

// Folds and canonicalization patterns of the cnn ops.
// RUN: cnnc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @shuffle_with_one_group
// CHECK-NEXT: return %arg0
func.func @shuffle_with_one_group(%x: tensor<1x12x4x4xf32>) -> tensor<1x12x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 1 : tensor<1x12x4x4xf32>
  return %0 : tensor<1x12x4x4xf32>
}

// -----

// CHECK-LABEL: func @shuffle_with_one_channel_per_group
// CHECK-NEXT: return %arg0
func.func @shuffle_with_one_channel_per_group(%x: tensor<1x12x4x4xf32>) -> tensor<1x12x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 12 : tensor<1x12x4x4xf32>
  return %0 : tensor<1x12x4x4xf32>
}

// -----

// Shuffling with g and then with C / g transposes back.
// CHECK-LABEL: func @inverse_shuffles_cancel
// CHECK-NEXT: return %arg0
func.func @inverse_shuffles_cancel(%x: tensor<1x12x4x4xf32>) -> tensor<1x12x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 3 : tensor<1x12x4x4xf32>
  %1 = cnn.channel_shuffle %0 groups 4 : tensor<1x12x4x4xf32>
  return %1 : tensor<1x12x4x4xf32>
}

// -----

// On 8 channels, shuffling with 2 groups twice is shuffling with 4 groups.
// CHECK-LABEL: func @shuffles_compose
// CHECK-NEXT: %[[S:.*]] = cnn.channel_shuffle %arg0 groups 4 : tensor<1x8x4x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @shuffles_compose(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x8x4x4xf32>
  %1 = cnn.channel_shuffle %0 groups 2 : tensor<1x8x4x4xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// Three shuffles on 240 channels (ShuffleNet v1, g = 3): 3 * 3 * 80 = 720 = 3
// mod 239; the 3 then 3 pair composes to no single shuffle, but the 3 then 80
// pair cancels, leaving one shuffle with 3 groups.
// CHECK-LABEL: func @three_shuffles_reduce_to_one
// CHECK-NEXT: %[[S:.*]] = cnn.channel_shuffle %arg0 groups 3 : tensor<1x240x4x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @three_shuffles_reduce_to_one(%x: tensor<1x240x4x4xf32>) -> tensor<1x240x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 3 : tensor<1x240x4x4xf32>
  %1 = cnn.channel_shuffle %0 groups 3 : tensor<1x240x4x4xf32>
  %2 = cnn.channel_shuffle %1 groups 80 : tensor<1x240x4x4xf32>
  return %2 : tensor<1x240x4x4xf32>
}

// -----

// On 6 channels, shuffling with 2 groups twice is no single shuffle: kept.
// CHECK-LABEL: func @shuffles_that_do_not_compose
// CHECK-NEXT: %[[A:.*]] = cnn.channel_shuffle %arg0 groups 2
// CHECK-NEXT: %[[B:.*]] = cnn.channel_shuffle %[[A]] groups 2
// CHECK-NEXT: return %[[B]]
func.func @shuffles_that_do_not_compose(%x: tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x6x4x4xf32>
  %1 = cnn.channel_shuffle %0 groups 2 : tensor<1x6x4x4xf32>
  return %1 : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func @slice_selects_concat_operand
// CHECK-NEXT: return %arg1
func.func @slice_selects_concat_operand(%a: tensor<1x4x4x4xf32>, %b: tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cnn.concat %a, %b : tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32> -> tensor<1x10x4x4xf32>
  %1 = cnn.slice %0 offset 4 size 6 : tensor<1x10x4x4xf32> -> tensor<1x6x4x4xf32>
  return %1 : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func @slice_within_concat_operand
// CHECK-NEXT: %[[S:.*]] = cnn.slice %arg1 offset 1 size 3 : tensor<1x6x4x4xf32> -> tensor<1x3x4x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @slice_within_concat_operand(%a: tensor<1x4x4x4xf32>, %b: tensor<1x6x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %0 = cnn.concat %a, %b : tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32> -> tensor<1x10x4x4xf32>
  %1 = cnn.slice %0 offset 5 size 3 : tensor<1x10x4x4xf32> -> tensor<1x3x4x4xf32>
  return %1 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func @slice_across_concat_operands
// CHECK-NEXT: %[[C:.*]] = cnn.concat %arg0, %arg1
// CHECK-NEXT: %[[S:.*]] = cnn.slice %[[C]] offset 3 size 2
// CHECK-NEXT: return %[[S]]
func.func @slice_across_concat_operands(%a: tensor<1x4x4x4xf32>, %b: tensor<1x6x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = cnn.concat %a, %b : tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32> -> tensor<1x10x4x4xf32>
  %1 = cnn.slice %0 offset 3 size 2 : tensor<1x10x4x4xf32> -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @slice_of_slice
// CHECK-NEXT: %[[S:.*]] = cnn.slice %arg0 offset 5 size 2 : tensor<1x10x4x4xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @slice_of_slice(%x: tensor<1x10x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = cnn.slice %x offset 4 size 5 : tensor<1x10x4x4xf32> -> tensor<1x5x4x4xf32>
  %1 = cnn.slice %0 offset 1 size 2 : tensor<1x5x4x4xf32> -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @slice_of_everything
// CHECK-NEXT: return %arg0
func.func @slice_of_everything(%x: tensor<1x10x4x4xf32>) -> tensor<1x10x4x4xf32> {
  %0 = cnn.slice %x offset 0 size 10 : tensor<1x10x4x4xf32> -> tensor<1x10x4x4xf32>
  return %0 : tensor<1x10x4x4xf32>
}

// -----

// CHECK-LABEL: func @concat_of_one
// CHECK-NEXT: return %arg0
func.func @concat_of_one(%x: tensor<1x10x4x4xf32>) -> tensor<1x10x4x4xf32> {
  %0 = cnn.concat %x : tensor<1x10x4x4xf32> -> tensor<1x10x4x4xf32>
  return %0 : tensor<1x10x4x4xf32>
}

// -----

// CHECK-LABEL: func @reshape_of_reshape
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %arg0 to [4, 32] : tensor<1x8x4x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<1x8x4x4xf32>) -> tensor<4x32xf32> {
  %0 = cnn.reshape %x to [8, 16] : tensor<1x8x4x4xf32>
  %1 = cnn.reshape %0 to [4, 32] : tensor<8x16xf32>
  return %1 : tensor<4x32xf32>
}

// -----

// CHECK-LABEL: func @reshape_back
// CHECK-NEXT: return %arg0
func.func @reshape_back(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.reshape %x to [8, 16] : tensor<1x8x4x4xf32>
  %1 = cnn.reshape %0 to [1, 8, 4, 4] : tensor<8x16xf32>
  return %1 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @reshape_of_flatten
// CHECK-NEXT: %[[R:.*]] = cnn.reshape %arg0 to [2, 64] : tensor<1x8x4x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_flatten(%x: tensor<1x8x4x4xf32>) -> tensor<2x64xf32> {
  %0 = cnn.flatten %x : tensor<1x8x4x4xf32> -> tensor<1x128xf32>
  %1 = cnn.reshape %0 to [2, 64] : tensor<1x128xf32>
  return %1 : tensor<2x64xf32>
}

// -----

// CHECK-LABEL: func @flatten_of_nothing
// CHECK-NEXT: return %arg0
func.func @flatten_of_nothing(%x: tensor<1x128xf32>) -> tensor<1x128xf32> {
  %0 = cnn.flatten %x : tensor<1x128xf32> -> tensor<1x128xf32>
  return %0 : tensor<1x128xf32>
}

// -----

// A convolution's result is not folded away even when unused results are
// removed around it: canonicalization keeps live values only.
// CHECK-LABEL: func @dead_ops_are_removed
// CHECK-NEXT: return %arg0
func.func @dead_ops_are_removed(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.relu %0 : tensor<1x8x4x4xf32>
  return %x : tensor<1x8x4x4xf32>
}

// -----

// In a graph region an op may read its own result (or a cycle of ops may);
// the folds leave such ops alone instead of looping forever, and region
// simplification then removes the dead cycles.
// CHECK-LABEL: module
// CHECK-NOT: cnn.
%0 = "cnn.slice"(%0) <{offset = 0 : i64, size = 4 : i64}> : (tensor<1x4xf32>) -> tensor<1x4xf32>
%1 = "cnn.reshape"(%2) <{shape = array<i64: 4>}> : (tensor<2x2xf32>) -> tensor<4xf32>
%2 = "cnn.reshape"(%1) <{shape = array<i64: 2, 2>}> : (tensor<4xf32>) -> tensor<2x2xf32>
%3 = "cnn.channel_shuffle"(%4) <{groups = 2 : i64}> : (tensor<1x8xf32>) -> tensor<1x8xf32>
%4 = "cnn.channel_shuffle"(%3) <{groups = 2 : i64}> : (tensor<1x8xf32>) -> tensor<1x8xf32>

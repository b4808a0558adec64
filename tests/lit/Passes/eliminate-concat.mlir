// RUN: cnnc-opt %s --cnn-eliminate-concat --split-input-file | FileCheck %s

// DenseNet: each layer reads the concatenation of all maps so far. Each
// concat becomes the previous one plus the new map.
// CHECK-LABEL: func @dense_block
// CHECK: %[[C1:.*]] = cnn.concat %arg0, %arg1 : tensor<1x4x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x6x3x3xf32>
// CHECK: %[[Y2:.*]] = cnn.relu %[[C1]]
// CHECK: %[[S2:.*]] = cnn.slice %[[Y2]] offset 0 size 2
// CHECK: %[[C2:.*]] = cnn.concat %[[C1]], %[[S2]] : tensor<1x6x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x8x3x3xf32>
// CHECK: %[[C3:.*]] = cnn.concat %[[C2]], %arg2 : tensor<1x8x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x10x3x3xf32>
// CHECK: return %[[C1]], %[[C2]], %[[C3]]
func.func @dense_block(%x: tensor<1x4x3x3xf32>, %y1: tensor<1x2x3x3xf32>, %y3: tensor<1x2x3x3xf32>) -> (tensor<1x6x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x10x3x3xf32>) {
  %c1 = cnn.concat %x, %y1 : tensor<1x4x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x6x3x3xf32>
  %r = cnn.relu %c1 : tensor<1x6x3x3xf32>
  %y2 = cnn.slice %r offset 0 size 2 : tensor<1x6x3x3xf32> -> tensor<1x2x3x3xf32>
  %c2 = cnn.concat %x, %y1, %y2 : tensor<1x4x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x8x3x3xf32>
  %c3 = cnn.concat %x, %y1, %y2, %y3 : tensor<1x4x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x10x3x3xf32>
  return %c1, %c2, %c3 : tensor<1x6x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x10x3x3xf32>
}

// -----

// The longest earlier prefix is taken: a, b, c, a extends a, b, c (itself
// rewritten to extend a, b), not a, b.
// CHECK-LABEL: func @longest_prefix
// CHECK: %[[AB:.*]] = cnn.concat %arg0, %arg1 :
// CHECK: %[[ABC:.*]] = cnn.concat %[[AB]], %arg2 :
// CHECK: cnn.concat %[[ABC]], %arg0 :
func.func @longest_prefix(%a: tensor<1x1x2x2xf32>, %b: tensor<1x1x2x2xf32>, %c: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>) {
  %ab = cnn.concat %a, %b : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %abc = cnn.concat %a, %b, %c : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x3x2x2xf32>
  %abca = cnn.concat %a, %b, %c, %a : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x4x2x2xf32>
  return %ab, %abc, %abca : tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>
}

// -----

// Left alone: a prefix that comes later, the same operands again (not a
// proper prefix), operands in another order, interleaved concats (whose
// operands own no leading channel range), and the extension of a concat of
// one operand (a copy of it: nothing to share).
// CHECK-LABEL: func @refused
// CHECK-NEXT: cnn.concat %arg0, %arg1, %arg2 :
// CHECK-NEXT: cnn.concat %arg0, %arg1 :
// CHECK-NEXT: cnn.concat %arg0, %arg1 :
// CHECK-NEXT: cnn.concat %arg1, %arg0, %arg2 :
// CHECK-NEXT: cnn.concat %arg1, %arg2 interleave
// CHECK-NEXT: cnn.concat %arg1, %arg2, %arg0 interleave
// CHECK-NEXT: cnn.concat %arg2 :
// CHECK-NEXT: cnn.concat %arg2, %arg0 :
// CHECK-NEXT: return
func.func @refused(%a: tensor<1x1x2x2xf32>, %b: tensor<1x1x2x2xf32>, %c: tensor<1x1x2x2xf32>) -> (tensor<1x3x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>) {
  %abc = cnn.concat %a, %b, %c : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x3x2x2xf32>
  %ab = cnn.concat %a, %b : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %ab2 = cnn.concat %a, %b : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %bac = cnn.concat %b, %a, %c : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x3x2x2xf32>
  %i = cnn.concat %b, %c interleave : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  %j = cnn.concat %b, %c, %a interleave : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x3x2x2xf32>
  %one = cnn.concat %c : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %ca = cnn.concat %c, %a : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x2x2x2xf32>
  return %abc, %ab, %ab2, %bac, %i, %j, %one, %ca : tensor<1x3x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x2x2x2xf32>
}

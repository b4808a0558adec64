// RUN: cnnc-opt %s --cnn-lower-to-linalg --split-input-file | FileCheck %s

// A chain of concats, each extending the one before: one tensor of the final
// size, created where the first operand's producer creates its destination
// (after the input's relu, not at the top), each operand inserted once, and
// the inner concats read back as leading channel ranges of it.
// CHECK-LABEL: func @chain
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x3x3x3xf32>)
// CHECK: %[[BUF:.*]] = tensor.empty() : tensor<1x7x3x3xf32>
// CHECK-NEXT: tensor.empty() : tensor<1x3x3x3xf32>
// CHECK-NEXT: %[[X0:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<1x3x3x3xf32>)
// CHECK: %[[B1:.*]] = tensor.insert_slice %[[X0]] into %[[BUF]][0, 0, 0, 0] [1, 3, 3, 3]
// CHECK: %[[B2:.*]] = tensor.insert_slice %arg1 into %[[B1]][0, 3, 0, 0] [1, 2, 3, 3]
// CHECK: %[[C1:.*]] = tensor.extract_slice %[[B2]][0, 0, 0, 0] [1, 5, 3, 3]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[C1]] : tensor<1x5x3x3xf32>)
// CHECK: %[[YS:.*]] = tensor.extract_slice %[[Y]][0, 0, 0, 0] [1, 2, 3, 3]
// CHECK: %[[B3:.*]] = tensor.insert_slice %[[YS]] into %[[B2]][0, 5, 0, 0] [1, 2, 3, 3]
// CHECK-NOT: tensor.empty() : tensor<1x7x3x3xf32>
// CHECK: return %[[B3]]
func.func @chain(%x: tensor<1x3x3x3xf32>, %y1: tensor<1x2x3x3xf32>) -> tensor<1x7x3x3xf32> {
  %r = cnn.relu %x : tensor<1x3x3x3xf32>
  %x0 = cnn.sigmoid %r : tensor<1x3x3x3xf32>
  %c1 = cnn.concat %x0, %y1 : tensor<1x3x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x5x3x3xf32>
  %t = cnn.tanh %c1 : tensor<1x5x3x3xf32>
  %y2 = cnn.slice %t offset 0 size 2 : tensor<1x5x3x3xf32> -> tensor<1x2x3x3xf32>
  %c2 = cnn.concat %c1, %y2 : tensor<1x5x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x7x3x3xf32>
  return %c2 : tensor<1x7x3x3xf32>
}

// -----

// A concat extended two ways is no chain: each concat is lowered on its own.
// CHECK-LABEL: func @two_extensions
// CHECK-DAG: tensor.empty() : tensor<1x2x3x3xf32>
// CHECK-DAG: tensor.empty() : tensor<1x3x3x3xf32>
// CHECK-DAG: tensor.empty() : tensor<1x4x3x3xf32>
// CHECK-NOT: tensor.extract_slice
func.func @two_extensions(%a: tensor<1x1x3x3xf32>, %b: tensor<1x1x3x3xf32>, %c: tensor<1x2x3x3xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x4x3x3xf32>) {
  %ab = cnn.concat %a, %b : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32> -> tensor<1x2x3x3xf32>
  %abb = cnn.concat %ab, %b : tensor<1x2x3x3xf32>, tensor<1x1x3x3xf32> -> tensor<1x3x3x3xf32>
  %abc = cnn.concat %ab, %c : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32> -> tensor<1x4x3x3xf32>
  return %abb, %abc : tensor<1x3x3x3xf32>, tensor<1x4x3x3xf32>
}

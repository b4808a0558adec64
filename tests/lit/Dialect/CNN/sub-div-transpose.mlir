// cnn.sub, cnn.div and cnn.transpose (the ops ONNX models need beyond the
// .cnn language's): round trips, folds, and
// their lowering to linalg.
// RUN: cnnc-opt %s -split-input-file | FileCheck %s
// RUN: cnnc-opt %s -split-input-file --canonicalize | FileCheck %s --check-prefix=FOLD
// RUN: cnnc-opt %s -split-input-file --cnn-lower-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: cnnc-opt %s -split-input-file --mlir-print-op-generic | cnnc-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @arithmetic
// LINALG-LABEL: func @arithmetic
func.func @arithmetic(%x: tensor<2x3x4xf32>, %y: tensor<3x1xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  // CHECK: cnn.sub %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  // LINALG: linalg.generic
  // LINALG: arith.subf
  %0 = cnn.sub %x, %y : tensor<2x3x4xf32>, tensor<3x1xf32> -> tensor<2x3x4xf32>
  // CHECK: cnn.div %{{.*}}, %{{.*}} : tensor<3x1xf32>, tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // LINALG: linalg.generic
  // LINALG: arith.divf
  %1 = cnn.div %y, %x : tensor<3x1xf32>, tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @transpose
// FOLD-LABEL: func @transpose
// LINALG-LABEL: func @transpose
func.func @transpose(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  // CHECK: cnn.transpose %{{.*}} perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // LINALG: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %0 = cnn.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // The identity permutation folds away.
  // FOLD-NOT: perm [0, 1, 2]
  // FOLD: return %{{.*}}, %arg0
  %1 = cnn.transpose %x perm [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0, %1 : tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// cnn-set-batch: every input gets the new batch first and every shape after
// it follows from the ops' shape rules; parameters keep theirs, a reshape
// that kept the batch first keeps the new one, and what cannot take the new
// batch is an error at its location.
// RUN: cnnc-opt %s --split-input-file --cnn-set-batch=batch=4 --verify-diagnostics | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-set-batch=batch=0 | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @head(
// CHECK-SAME: %{{.*}}: tensor<4x8x6x6xf32>) -> tensor<4x10xf32>
// CHECK: cnn.weight "w" : tensor<16x8x3x3xf32>
// CHECK: cnn.conv2d {{.*}} -> tensor<4x16x6x6xf32>
// CHECK: cnn.global_avg_pool {{.*}} -> tensor<4x16x1x1xf32>
// CHECK: cnn.reshape %{{.*}} to [4, 16] : tensor<4x16x1x1xf32>
// CHECK: cnn.dense {{.*}} -> tensor<4x10xf32>
// KEEP-LABEL: func.func @head(
// KEEP-SAME: %{{.*}}: tensor<1x8x6x6xf32>) -> tensor<1x10xf32>
func.func @head(%x: tensor<1x8x6x6xf32>) -> tensor<1x10xf32> {
  %w = cnn.weight "w" : tensor<16x8x3x3xf32>
  %fc = cnn.weight "fc" : tensor<10x16xf32>
  %c = cnn.conv2d %x, %w pad [1, 1, 1, 1] : (tensor<1x8x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x6x6xf32>
  %p = cnn.global_avg_pool %c : tensor<1x16x6x6xf32> -> tensor<1x16x1x1xf32>
  %r = cnn.reshape %p to [1, 16] : tensor<1x16x1x1xf32>
  %y = cnn.dense %r, %fc : (tensor<1x16xf32>, tensor<10x16xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// A reshape that folds the batch into another dimension cannot follow.
func.func @folded(%x: tensor<2x8x4x4xf32>) -> tensor<16x16xf32> {
  // expected-error @+2 {{cannot reshape 'tensor<4x8x4x4xf32>' (512 elements) to [16, 16] (256 elements)}}
  // expected-error @+1 {{cannot set the batch to 4: the shape rules of 'cnn.reshape' refuse its operands' new shapes}}
  %r = cnn.reshape %x to [16, 16] : tensor<2x8x4x4xf32>
  return %r : tensor<16x16xf32>
}

// cnn-pad-in-place: a pad whose source chain starts at an empty tensor and
// has no other reader becomes fills of the border and an insert into the
// interior, so that empty-tensor elimination lets the chain write there.
// RUN: cnnc-opt %s --split-input-file --cnn-pad-in-place | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-pad-in-place --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUFFERS

// CHECK-LABEL: func @padded_input
// The padded tensor's border is filled before the chain starts: 1 row above
// and below (all columns), 2 columns left and 1 right (interior rows).
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4x7x8xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[EMPTY]][0, 0, 0, 0] [1, 4, 1, 8] [1, 1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<1x4x1x8xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 6, 0] [1, 4, 1, 8]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 0] [1, 4, 5, 2]
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 1, 7] [1, 4, 5, 1] [1, 1, 1, 1]
// CHECK: %[[START:.*]] = tensor.empty() : tensor<1x4x5x5xf32>
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[START]]
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[RELU]] into %[[LAST]][0, 0, 1, 2] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: return %[[PADDED]]
// After bufferization the ReLU writes into a view of the padded buffer: the
// feature map is not copied.
// BUFFERS-LABEL: func @padded_input
// BUFFERS-NOT: memref.copy
// BUFFERS: linalg.generic {{.*}} outs(%{{.*}} : memref<1x4x5x5xf32, strided<[224, 56, 8, 1], offset: 10>>)
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @padded_input(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x7x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x5x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x5x5xf32>) outs(%e : tensor<1x4x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  %p = tensor.pad %r low[0, 0, 1, 2] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x7x8xf32>
  return %p : tensor<1x4x7x8xf32>
}

// -----

// The source is also returned: the pad stays (its copy is needed).
// CHECK-LABEL: func @read_twice
// CHECK: tensor.pad
func.func @read_twice(%x: tensor<1x4x5x5xf32>) -> (tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x5x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x5x5xf32>) outs(%e : tensor<1x4x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x7x7xf32>
  return %p, %r : tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>
}

// -----

// A function argument has no chain to write in place: the pad stays.
// CHECK-LABEL: func @argument
// CHECK: tensor.pad
func.func @argument(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x7x7xf32>
  return %p : tensor<1x4x7x7xf32>
}

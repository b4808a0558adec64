// cnn-pad-in-place: a pad whose source chain starts at an empty tensor and
// has no other reader (or only readers that do not write it) becomes fills
// of the border and an insert into the interior, so that empty-tensor
// elimination lets the chain write there.
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

// Another op reads the source after the pad (ShuffleNetV2's unit input, read
// by both branches): the chain still writes into the padded buffer, and
// that reader reads the buffer's interior, so bufferization copies nothing.
// CHECK-LABEL: func @read_by_another_op
// CHECK: %[[RELU:.*]] = linalg.generic
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[RELU]] into %{{.*}}[0, 0, 1, 1] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[PADDED]][0, 0, 1, 1] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {{.*}} ins(%[[INTERIOR]] : tensor<1x4x5x5xf32>)
// BUFFERS-LABEL: func @read_by_another_op
// BUFFERS-NOT: memref.copy
// BUFFERS: linalg.generic {{.*}} outs(%{{.*}} : memref<1x4x5x5xf32, strided<[196, 49, 7, 1], offset: 8>>)
// BUFFERS-NOT: memref.copy
// BUFFERS: linalg.generic {{.*}} ins(%{{.*}} : memref<1x4x5x5xf32, strided<[196, 49, 7, 1], offset: 8>>)
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @read_by_another_op(%x: tensor<1x4x5x5xf32>) -> (tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>) {
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
  %e2 = tensor.empty() : tensor<1x4x5x5xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%r : tensor<1x4x5x5xf32>) outs(%e2 : tensor<1x4x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  return %p, %n : tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>
}

// -----

// Another op updates the source in place: the pad stays (one copy either
// way, and this one is the plain one).
// CHECK-LABEL: func @written_by_another_op
// CHECK: tensor.pad
func.func @written_by_another_op(%x: tensor<1x4x5x5xf32>) -> (tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>) {
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
  %n = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%r : tensor<1x4x5x5xf32>) {
  ^bb0(%out: f32):
    %m = arith.negf %out : f32
    linalg.yield %m : f32
  } -> tensor<1x4x5x5xf32>
  return %p, %n : tensor<1x4x7x7xf32>, tensor<1x4x5x5xf32>
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

// -----

// Row tiles of a chain pad their slices of %r: the first tile (peeled) pads
// a row above, the loop's tiles only the columns, the last tile (peeled) a
// row below. They become slices of one pad of the whole %r (rows and
// columns by 1), which %r's producer then writes in place: no pad is left,
// and the tiles read its rows 0-4, 3i to 3i+5, and 9-13.
// CHECK-LABEL: func @row_tiles
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x2x14x10xf32>
// CHECK: %[[START:.*]] = tensor.empty() : tensor<1x2x12x8xf32>
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[START]]
// CHECK: %[[WHOLE:.*]] = tensor.insert_slice %[[RELU]] into %{{.*}}[0, 0, 1, 1] [1, 2, 12, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[WHOLE]][0, 0, 0, 0] [1, 2, 5, 10] [1, 1, 1, 1]
// CHECK: scf.for %[[I:.*]] =
// CHECK: %[[ROW:.*]] = affine.apply
// CHECK: %[[SHIFTED:.*]] = arith.addi %[[ROW]], %{{.*}}
// CHECK: tensor.extract_slice %[[WHOLE]][0, 0, %[[SHIFTED]], 0] [1, 2, 6, 10] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[WHOLE]][0, 0, 9, 0] [1, 2, 5, 10] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUFFERS-LABEL: func @row_tiles
// The only copy left is the loop body's own (into its result).
// BUFFERS-NOT: memref.copy
// BUFFERS: scf.for
// BUFFERS-COUNT-1: linalg.copy
// BUFFERS-NOT: linalg.copy
// BUFFERS: return
func.func @row_tiles(%x: tensor<1x2x12x8xf32>) -> (tensor<1x2x5x10xf32>, tensor<1x2x6x10xf32>, tensor<1x2x5x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x12x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x12x8xf32>) outs(%e : tensor<1x2x12x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x12x8xf32>
  %first = tensor.extract_slice %r[0, 0, 0, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x12x8xf32> to tensor<1x2x4x8xf32>
  %p0 = tensor.pad %first low[0, 0, 1, 1] high[0, 0, 0, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x8xf32> to tensor<1x2x5x10xf32>
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %init = tensor.empty() : tensor<1x2x6x10xf32>
  %tiles = scf.for %i = %c1 to %c3 step %c1 iter_args(%acc = %init) -> tensor<1x2x6x10xf32> {
    %row = affine.apply affine_map<(i) -> (i * 3 - 1)>(%i)
    %s = tensor.extract_slice %r[0, 0, %row, 0] [1, 2, 6, 8] [1, 1, 1, 1] : tensor<1x2x12x8xf32> to tensor<1x2x6x8xf32>
    %p = tensor.pad %s low[0, 0, 0, 1] high[0, 0, 0, 1] {
    ^bb0(%i0: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
    } : tensor<1x2x6x8xf32> to tensor<1x2x6x10xf32>
    %t = linalg.copy ins(%p : tensor<1x2x6x10xf32>) outs(%acc : tensor<1x2x6x10xf32>) -> tensor<1x2x6x10xf32>
    scf.yield %t : tensor<1x2x6x10xf32>
  }
  %last = tensor.extract_slice %r[0, 0, 8, 0] [1, 2, 4, 8] [1, 1, 1, 1] : tensor<1x2x12x8xf32> to tensor<1x2x4x8xf32>
  %p2 = tensor.pad %last low[0, 0, 0, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x8xf32> to tensor<1x2x5x10xf32>
  return %p0, %tiles, %p2 : tensor<1x2x5x10xf32>, tensor<1x2x6x10xf32>, tensor<1x2x5x10xf32>
}

// -----

// A slice that takes part of a dimension no pad pads (a channel slice):
// padding the whole tensor would copy channels no tile reads. Left alone.
// CHECK-LABEL: func @channel_slice
// CHECK: scf.for
// CHECK: tensor.pad
func.func @channel_slice(%x: tensor<1x4x6x6xf32>) -> tensor<1x2x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %init = tensor.empty() : tensor<1x2x8x8xf32>
  %out = scf.for %i = %c0 to %c1 step %c1 iter_args(%acc = %init) -> tensor<1x2x8x8xf32> {
    %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 2, 6, 6] [1, 1, 1, 1] : tensor<1x4x6x6xf32> to tensor<1x2x6x6xf32>
    %p = tensor.pad %s low[0, 0, 1, 1] high[0, 0, 1, 1] {
    ^bb0(%i0: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
    } : tensor<1x2x6x6xf32> to tensor<1x2x8x8xf32>
    %t = linalg.copy ins(%p : tensor<1x2x8x8xf32>) outs(%acc : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
    scf.yield %t : tensor<1x2x8x8xf32>
  }
  return %out : tensor<1x2x8x8xf32>
}

// -----

// The tiles' tensor is also returned: its producer could not write into a
// whole pad, which would then be one more copy of it. Left alone (and the
// tiles' own pads stay).
// CHECK-LABEL: func @tiles_of_a_returned_tensor
// CHECK: scf.for
// CHECK: tensor.pad
func.func @tiles_of_a_returned_tensor(%x: tensor<1x2x12x8xf32>) -> (tensor<1x2x6x10xf32>, tensor<1x2x12x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x12x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x2x12x8xf32>) outs(%e : tensor<1x2x12x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x12x8xf32>
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %init = tensor.empty() : tensor<1x2x6x10xf32>
  %tiles = scf.for %i = %c1 to %c3 step %c1 iter_args(%acc = %init) -> tensor<1x2x6x10xf32> {
    %row = affine.apply affine_map<(i) -> (i * 3 - 1)>(%i)
    %s = tensor.extract_slice %r[0, 0, %row, 0] [1, 2, 6, 8] [1, 1, 1, 1] : tensor<1x2x12x8xf32> to tensor<1x2x6x8xf32>
    %p = tensor.pad %s low[0, 0, 0, 1] high[0, 0, 0, 1] {
    ^bb0(%i0: index, %j: index, %k: index, %l: index):
      tensor.yield %zero : f32
    } : tensor<1x2x6x8xf32> to tensor<1x2x6x10xf32>
    %t = linalg.copy ins(%p : tensor<1x2x6x10xf32>) outs(%acc : tensor<1x2x6x10xf32>) -> tensor<1x2x6x10xf32>
    scf.yield %t : tensor<1x2x6x10xf32>
  }
  return %tiles, %r : tensor<1x2x6x10xf32>, tensor<1x2x12x8xf32>
}

// -----

// Slices of a pad's result padded again in a loop: the inner pads are not
// grouped under a value that the outer group's rewrite erases (this once
// read freed memory).
// CHECK-LABEL: func @pad_of_a_padded_slice
func.func @pad_of_a_padded_slice(%x: tensor<8x8xf32>) -> tensor<5x5xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %init = tensor.empty() : tensor<5x5xf32>
  %s = tensor.extract_slice %x[0, 0] [4, 8] [1, 1] : tensor<8x8xf32> to tensor<4x8xf32>
  %out = scf.for %i = %c0 to %c1 step %c1 iter_args(%acc = %init) -> tensor<5x5xf32> {
    %p = tensor.pad %s low[1, 0] high[0, 0] {
    ^bb0(%a: index, %b: index):
      tensor.yield %zero : f32
    } : tensor<4x8xf32> to tensor<5x8xf32>
    %t = tensor.extract_slice %p[0, 0] [5, 4] [1, 1] : tensor<5x8xf32> to tensor<5x4xf32>
    %q = tensor.pad %t low[0, 1] high[0, 0] {
    ^bb0(%a: index, %b: index):
      tensor.yield %zero : f32
    } : tensor<5x4xf32> to tensor<5x5xf32>
    %u = linalg.copy ins(%q : tensor<5x5xf32>) outs(%acc : tensor<5x5xf32>) -> tensor<5x5xf32>
    scf.yield %u : tensor<5x5xf32>
  }
  return %out : tensor<5x5xf32>
}

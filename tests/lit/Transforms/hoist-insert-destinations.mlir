// cnn-hoist-insert-destinations: a concat's or a shuffle's destination (its
// tensor.empty and the inserts of earlier parts) moves up to just before
// the chain of the next part, when what it reads is defined there, so that
// empty-tensor elimination lets that chain write into its slice.
// RUN: cnnc-opt %s --split-input-file --cnn-hoist-insert-destinations | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-hoist-insert-destinations --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries" --cse --canonicalize | FileCheck %s --check-prefix=BUFFERS

#map = affine_map<(n, c, h, w) -> (n, c, h, w)>

// A channel shuffle of two halves, as ShuffleNetV2's units build it: the
// first half (a slice of the input) into the even channels, the second (a
// chain computed from an empty) into the odd ones. The destination and the
// first insert move before the chain, which then writes into the odd
// channels (a stride-2 subview) in place: one copy, the first half's.
// CHECK-LABEL: func @shuffle
// CHECK: %[[DEST:.*]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[EVEN:.*]] = tensor.insert_slice %{{.*}} into %[[DEST]][0, 0, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1]
// CHECK: %[[START:.*]] = tensor.empty() : tensor<1x4x4x4xf32>
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} outs(%[[START]]
// CHECK: tensor.insert_slice %[[PART]] into %[[EVEN]][0, 1, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1]
// BUFFERS-LABEL: func @shuffle
// BUFFERS: %[[ALLOC:.*]] = memref.alloc() {{.*}} : memref<1x8x4x4xf32>
// BUFFERS: %[[EVEN:.*]] = memref.subview %[[ALLOC]][0, 0, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1]
// BUFFERS: memref.copy %{{.*}}, %[[EVEN]]
// BUFFERS: %[[ODD:.*]] = memref.subview %[[ALLOC]][0, 1, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1]
// BUFFERS: linalg.generic {{.*}} outs(%[[ODD]]
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @shuffle(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %first = tensor.extract_slice %x[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> to tensor<1x4x4x4xf32>
  %second = tensor.extract_slice %x[0, 4, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> to tensor<1x4x4x4xf32>
  %empty = tensor.empty() : tensor<1x4x4x4xf32>
  %part = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%second : tensor<1x4x4x4xf32>) outs(%empty : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %dest = tensor.empty() : tensor<1x8x4x4xf32>
  %even = tensor.insert_slice %first into %dest[0, 0, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  %both = tensor.insert_slice %part into %even[0, 1, 0, 0] [1, 4, 4, 4] [1, 2, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  return %both : tensor<1x8x4x4xf32>
}

// -----

#map = affine_map<(n, c, h, w) -> (n, c, h, w)>

// Two computed parts inserted in the order they were computed: both chains
// write into their slices (the destination before the first chain, the
// first insert before the second chain). No copy.
// CHECK-LABEL: func @concat_in_order
// CHECK: %[[DEST:.*]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: %[[WITH_A:.*]] = tensor.insert_slice %[[A]] into %[[DEST]][0, 0, 0, 0]
// CHECK: %[[B:.*]] = linalg.generic
// CHECK: tensor.insert_slice %[[B]] into %[[WITH_A]][0, 4, 0, 0]
// BUFFERS-LABEL: func @concat_in_order
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @concat_in_order(%x: tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %ea = tensor.empty() : tensor<1x4x4x4xf32>
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x4xf32>) outs(%ea : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %eb = tensor.empty() : tensor<1x4x4x4xf32>
  %b = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x4xf32>) outs(%eb : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %dest = tensor.empty() : tensor<1x8x4x4xf32>
  %with_a = tensor.insert_slice %a into %dest[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  %both = tensor.insert_slice %b into %with_a[0, 4, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  return %both : tensor<1x8x4x4xf32>
}

// -----

#map = affine_map<(n, c, h, w) -> (n, c, h, w)>

// Inserted in the other order: the part computed second goes in first, so
// the destination moves before its chain; the first part's chain starts
// before that insert's source exists, so it stays and is copied.
// CHECK-LABEL: func @concat_out_of_order
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: %[[DEST:.*]] = tensor.empty() : tensor<1x8x4x4xf32>
// CHECK: %[[B:.*]] = linalg.generic
// CHECK: %[[WITH_B:.*]] = tensor.insert_slice %[[B]] into %[[DEST]][0, 4, 0, 0]
// CHECK: tensor.insert_slice %[[A]] into %[[WITH_B]][0, 0, 0, 0]
// BUFFERS-LABEL: func @concat_out_of_order
// BUFFERS: memref.copy
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @concat_out_of_order(%x: tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %ea = tensor.empty() : tensor<1x4x4x4xf32>
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x4xf32>) outs(%ea : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %eb = tensor.empty() : tensor<1x4x4x4xf32>
  %b = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x4x4xf32>) outs(%eb : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %dest = tensor.empty() : tensor<1x8x4x4xf32>
  %with_b = tensor.insert_slice %b into %dest[0, 4, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  %both = tensor.insert_slice %a into %with_b[0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x4x4x4xf32> into tensor<1x8x4x4xf32>
  return %both : tensor<1x8x4x4xf32>
}

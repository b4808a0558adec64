// RUN: cnnc-opt %s --cnn-write-results-in-place --split-input-file | FileCheck %s

// The result's buffer becomes the out-parameter: no copy, no allocation.
// CHECK-LABEL: func.func @in_place(
// CHECK-SAME: %[[IN:.*]]: memref<4x16xf32>, %[[OUT:.*]]: memref<4x16xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.generic {{.*}} ins(%[[IN]] : memref<4x16xf32>) outs(%[[OUT]] : memref<4x16xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @in_place(%arg0: memref<4x16xf32>, %arg1: memref<4x16xf32>) {
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<4x16xf32>
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0 : memref<4x16xf32>) outs(%alloc : memref<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  }
  memref.copy %alloc, %arg1 : memref<4x16xf32> to memref<4x16xf32>
  return
}

// -----

// Read after the copy: the allocation must keep its own memory.
// CHECK-LABEL: func.func @read_after_copy(
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @read_after_copy(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %arg2: memref<4xf32>) {
  %alloc = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %alloc : memref<4xf32> to memref<4xf32>
  memref.copy %alloc, %arg1 : memref<4xf32> to memref<4xf32>
  %c0 = arith.constant 0 : index
  %v = memref.load %alloc[%c0] : memref<4xf32>
  memref.store %v, %arg2[%c0] : memref<4xf32>
  return
}

// -----

// The out-parameter has another use: left alone.
// CHECK-LABEL: func.func @out_param_used(
// CHECK: memref.alloc
// CHECK: memref.copy %{{.*}}, %arg1
func.func @out_param_used(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %arg1[%c0] : memref<4xf32>
  %alloc = memref.alloc() : memref<4xf32>
  memref.store %v, %alloc[%c0] : memref<4xf32>
  memref.copy %alloc, %arg1 : memref<4xf32> to memref<4xf32>
  return
}

// -----

// One buffer returned twice: the last out-parameter it is copied to takes
// it (the first copy is not its last use), and the first is copied from it.
// CHECK-LABEL: func.func @twice(
// CHECK-SAME: %[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: memref.store %{{.*}}, %[[B]]
// CHECK: memref.copy %[[B]], %[[A]]
func.func @twice(%arg0: memref<4xf32>, %arg1: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<4xf32>
  memref.store %f, %alloc[%c0] : memref<4xf32>
  memref.copy %alloc, %arg0 : memref<4xf32> to memref<4xf32>
  memref.copy %alloc, %arg1 : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A view of a buffer, an input argument, a dynamic size: not allocations
// the pass can replace.
// CHECK-LABEL: func.func @not_allocations(
// CHECK-COUNT-3: memref.copy
func.func @not_allocations(%arg0: memref<8xf32>, %arg1: memref<4xf32>, %arg2: memref<8xf32>, %arg3: memref<?xf32>, %n: index) {
  %alloc = memref.alloc() : memref<8xf32>
  memref.copy %arg0, %alloc : memref<8xf32> to memref<8xf32>
  %view = memref.subview %alloc[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %view, %arg1 : memref<4xf32, strided<[1]>> to memref<4xf32>
  memref.copy %arg0, %arg2 : memref<8xf32> to memref<8xf32>
  %dynamic = memref.alloc(%n) : memref<?xf32>
  memref.copy %dynamic, %arg3 : memref<?xf32> to memref<?xf32>
  return
}

// -----

// A view of the buffer taken before the copy and written through after it:
// with the buffer replaced, that store would land in the out-parameter.
// CHECK-LABEL: func.func @view_written_after_copy(
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @view_written_after_copy(%arg0: memref<8xf32>, %arg1: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %alloc = memref.alloc() : memref<8xf32>
  memref.copy %arg0, %alloc : memref<8xf32> to memref<8xf32>
  %view = memref.subview %alloc[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %alloc, %arg1 : memref<8xf32> to memref<8xf32>
  memref.store %f, %view[%c0] : memref<4xf32, strided<[1]>>
  return
}

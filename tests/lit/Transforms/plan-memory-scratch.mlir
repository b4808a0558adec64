// cnn-plan-memory with scratch-argument: the arena is the caller's, a new
// last argument; a function with no temporaries still takes one (0 bytes), so
// that every model has the same calling convention; a buffer that cannot be
// placed is an error, since the call must never allocate.
// RUN: cnnc-opt %s --split-input-file --verify-diagnostics --cnn-plan-memory=scratch-argument | FileCheck %s

// CHECK-LABEL: module attributes {cnnc.arena_bytes = 8192 : i64, cnnc.unplanned_bytes = 12288 : i64}
// CHECK-LABEL: func @chain
// CHECK-SAME: (%{{.*}}: memref<1024xf32>, %{{.*}}: memref<1024xf32>, %[[ARENA:.*]]: memref<8192xi8> {cnnc.scratch})
// CHECK-NOT: memref.alloc
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @chain(%in: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%in : memref<1024xf32>) outs(%a : memref<1024xf32>)
  %b = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%a : memref<1024xf32>) outs(%b : memref<1024xf32>)
  %c = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%b : memref<1024xf32>) outs(%c : memref<1024xf32>)
  linalg.copy ins(%c : memref<1024xf32>) outs(%out : memref<1024xf32>)
  return
}

// CHECK-LABEL: func @nothing_to_place
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<0xi8> {cnnc.scratch})
func.func @nothing_to_place(%x: memref<4xf32>) {
  return
}

// -----

func.func @escaping() -> memref<16xf32> {
  // expected-error @below {{this buffer cannot be placed in the scratch arena (dynamic shape, non-identity layout, or it escapes the function)}}
  %a = memref.alloc() : memref<16xf32>
  return %a : memref<16xf32>
}

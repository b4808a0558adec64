// cnn-plan-memory: temporary buffers become views of one arena; buffers
// whose lifetimes do not overlap share bytes; escaping buffers are left alone.
// RUN: cnnc-opt %s --cnn-plan-memory | FileCheck %s

// %a (4 KiB) dies when %c is allocated: %c reuses offset 0. %b overlaps
// both, so it goes after them: the arena is 8 KiB, not 12.
// CHECK-LABEL: module attributes {cnnc.arena_bytes = 8192 : i64, cnnc.unplanned_bytes = 12288 : i64}
// CHECK-LABEL: func @chain
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: arith.constant 4096 : index
// CHECK-NEXT: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %[[ARENA]][%{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK-NOT: memref.alloc()
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

// A returned buffer escapes: it keeps its own allocation.
// CHECK-LABEL: func @escaping
// CHECK: %[[R:.*]] = memref.alloc() : memref<16xf32>
// CHECK: return %[[R]]
func.func @escaping(%in: memref<16xf32>) -> memref<16xf32> {
  %r = memref.alloc() : memref<16xf32>
  linalg.copy ins(%in : memref<16xf32>) outs(%r : memref<16xf32>)
  return %r : memref<16xf32>
}

// cnn-plan-memory's sizes are checked: a buffer or an arena past 2^62 bytes
// is an error at the buffer, never an arena size that wraps around to a
// small or negative number; the bytes without reuse saturate at INT64_MAX.
// RUN: not cnnc-opt %s --split-input-file --cnn-plan-memory 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=ERROR < %t.err

// Exactly 2^62 bytes: the largest buffer and arena there may be.
// CHECK-LABEL: module attributes {cnnc.arena_bytes = 4611686018427387904 : i64, cnnc.unplanned_bytes = 4611686018427387904 : i64}
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<4611686018427387904xi8>
func.func @largest(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<1152921504606846976xf32>
  %v = memref.load %a[%c0] : memref<1152921504606846976xf32>
  memref.store %v, %out[%c0] : memref<1xf32>
  return
}

// -----

// 64 bytes more than 2^62.
// ERROR: plan-memory-limits.mlir:{{[0-9]+}} offset :7:8: error: this buffer, 'memref<4611686018427387968xi8>', takes 4611686018427387968 bytes, more than the 4611686018427387904 bytes (2^62) that cnnc allows for one tensor
func.func @too_large(%out: memref<1xi8>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4611686018427387968xi8>
  %v = memref.load %a[%c0] : memref<4611686018427387968xi8>
  memref.store %v, %out[%c0] : memref<1xi8>
  return
}

// -----

// 2^61 floats: 2^63 bytes, one more than int64 holds.
// ERROR: plan-memory-limits.mlir:{{[0-9]+}} offset :7:8: error: this buffer, 'memref<2x1152921504606846976xf32>', takes 2^63 bytes or more, more than the 4611686018427387904 bytes (2^62) that cnnc allows for one tensor
func.func @overflows(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<2x1152921504606846976xf32>
  %v = memref.load %a[%c0, %c0] : memref<2x1152921504606846976xf32>
  memref.store %v, %out[%c0] : memref<1xf32>
  return
}

// -----

// Two buffers of 2^62 bytes live at once: the second would end at 2^63,
// which wrapped around to a negative arena before.
// ERROR: plan-memory-limits.mlir:{{[0-9]+}} offset :9:8: error: with this buffer, the arena of @both_live takes more than the 4611686018427387904 bytes (2^62) that cnnc allows for it
func.func @both_live(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<1152921504606846976xf32>
  %b = memref.alloc() : memref<1152921504606846976xf32>
  %v = memref.load %a[%c0] : memref<1152921504606846976xf32>
  memref.store %v, %b[%c0] : memref<1152921504606846976xf32>
  %w = memref.load %b[%c0] : memref<1152921504606846976xf32>
  memref.store %w, %out[%c0] : memref<1xf32>
  return
}

// -----

// Three buffers of 2^62 bytes, one after the other: they share one arena of
// 2^62 bytes; without reuse they would take 3 * 2^62, which saturates.
// CHECK-LABEL: module attributes {cnnc.arena_bytes = 4611686018427387904 : i64, cnnc.unplanned_bytes = 9223372036854775807 : i64}
func.func @in_turn(%out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<1152921504606846976xf32>
  %u = memref.load %a[%c0] : memref<1152921504606846976xf32>
  memref.store %u, %out[%c0] : memref<1xf32>
  %b = memref.alloc() : memref<1152921504606846976xf32>
  %v = memref.load %b[%c0] : memref<1152921504606846976xf32>
  memref.store %v, %out[%c0] : memref<1xf32>
  %c = memref.alloc() : memref<1152921504606846976xf32>
  %w = memref.load %c[%c0] : memref<1152921504606846976xf32>
  memref.store %w, %out[%c0] : memref<1xf32>
  return
}

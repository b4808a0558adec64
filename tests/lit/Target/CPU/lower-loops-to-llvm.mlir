// The cnnc-lower-loops-to-llvm pipeline takes bufferized loop nests to the
// LLVM dialect and leaves nothing else behind.
// RUN: cnnc-opt %s --cnnc-lower-loops-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @matmul
// CHECK: llvm.fmul
// CHECK: llvm.fadd
// CHECK-NOT: linalg.
// CHECK-NOT: scf.
// CHECK-NOT: memref.
// CHECK-NOT: builtin.unrealized_conversion_cast
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// CHECK-LABEL: llvm.func @relu
// CHECK: llvm.intr.maxnum
func.func @relu(%x: memref<16xf32>) {
  %zero = arith.constant 0.0 : f32
  affine.for %i = 0 to 16 {
    %v = affine.load %x[%i] : memref<16xf32>
    %r = arith.maxnumf %v, %zero : f32
    affine.store %r, %x[%i] : memref<16xf32>
  }
  return
}

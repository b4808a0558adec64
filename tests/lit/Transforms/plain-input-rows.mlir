// cnn-vectorize-blocked-convolutions on a first layer (plain_input: NCHW
// input, blocked output) whose taps share input columns, as a 3x3 stem of
// stride 2 does: per input channel and filter row, the filter vectors of
// the row's three taps are loaded once, and each input column of a tile row
// is loaded and broadcast once and feeds every output pixel and tap that
// reads it. A kernel whose taps never read the same column (stride 3,
// dilation 2) keeps the per-tap loop.
// RUN: cnnc-opt %s --split-input-file --cnn-vectorize-blocked-convolutions=vector-registers=16 --canonicalize | FileCheck %s

// 3 channels, 3x3 stride 2 on 5x9 pixels: 2x4 outputs of one block of 8.
// A tile row reads input columns 0..8 (9 loads, not 4 pixels x 3 taps = 12);
// column 2 is output 0's third tap and output 1's first.
// CHECK-LABEL: func @stride_two
// CHECK: scf.for %[[C:[a-z0-9]+]] = %c0 to %c3
// CHECK: scf.for %[[KH:[a-z0-9]+]] = %c0 to %c3
// CHECK: %[[W0:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c0, %c0]
// CHECK-NEXT: %[[W1:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c1, %c0]
// CHECK-NEXT: %[[W2:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c2, %c0]
// CHECK: memref.load %arg0[%c0, %[[C]], %[[KH]], %c0]
// CHECK: memref.load %arg0[%c0, %[[C]], %[[KH]], %c1]
// CHECK: %[[L2:.*]] = memref.load %arg0[%c0, %[[C]], %[[KH]], %c2]
// CHECK-NEXT: %[[X2:.*]] = vector.broadcast %[[L2]]
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[W2]],
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[W0]],
// CHECK-NOT: memref.load %arg0[%c0, %[[C]], %[[KH]], %c2]
// CHECK: memref.load %arg0[%c0, %[[C]], %[[KH]], %c4]
// CHECK-NOT: memref.load %arg0[%c0, %[[C]], %[[KH]], %c4]
// CHECK: memref.load %arg0[%c0, %[[C]], %[[KH]], %c6]
// CHECK-NOT: memref.load %arg0[%c0, %[[C]], %[[KH]], %c6]
// CHECK: memref.load %arg0[%c0, %[[C]], %[[KH]], %c8]
// The tile's second output row, input row kh + 2: 9 loads again.
// CHECK-COUNT-9: memref.load %arg0
// CHECK-NOT: memref.load %arg0
// CHECK-NOT: linalg.generic
// CHECK: return
#in = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,c,oh*2+kh*1,ow*2+kw*1)>
#w = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(ob,c,kh,kw,co)>
#o = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,ob,oh,ow,co)>
func.func @stride_two(%x: memref<1x3x5x9xf32>, %w: memref<1x3x3x3x8xf32>, %out: memref<1x1x2x4x8xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [2, 2], dilations = [1, 1]>} ins(%x, %w : memref<1x3x5x9xf32>, memref<1x3x3x3x8xf32>) outs(%out : memref<1x1x2x4x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// Two blocks, stride 1, dilation 2: taps kw read columns c + 2 kw, so
// column 2 is output 0's second tap and output 2's first; the filter
// vectors of both blocks' three taps stay loaded.
// CHECK-LABEL: func @dilated
// CHECK: scf.for %[[C:[a-z0-9]+]] = %c0 to %c2
// CHECK: scf.for %[[KH:[a-z0-9]+]] = %c0 to %c3
// CHECK: %[[A0:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c0, %c0]
// CHECK-NEXT: %[[A1:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c1, %c0]
// CHECK-NEXT: %[[A2:.*]] = vector.load %arg1[%c0, %[[C]], %[[KH]], %c2, %c0]
// CHECK-NEXT: %[[B0:.*]] = vector.load %arg1[%c1, %[[C]], %[[KH]], %c0, %c0]
// CHECK-NEXT: %[[B1:.*]] = vector.load %arg1[%c1, %[[C]], %[[KH]], %c1, %c0]
// CHECK-NEXT: %[[B2:.*]] = vector.load %arg1[%c1, %[[C]], %[[KH]], %c2, %c0]
// CHECK: %[[COL2:.*]] = arith.addi %{{.*}}, %c2 : index
// CHECK-NEXT: %[[L2:.*]] = memref.load %arg0[%c0, %[[C]], %{{.*}}, %[[COL2]]] : memref<1x2x5x12xf32>
// CHECK-NEXT: %[[X2:.*]] = vector.broadcast %[[L2]]
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[A1]],
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[B1]],
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[A0]],
// CHECK-NEXT: llvm.intr.fmuladd(%[[X2]], %[[B0]],
// CHECK: return
#in_d = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,c,oh*1+kh*2,ow*1+kw*2)>
#w_d = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(ob,c,kh,kw,co)>
#o_d = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,ob,oh,ow,co)>
func.func @dilated(%x: memref<1x2x5x12xf32>, %w: memref<2x2x3x3x8xf32>, %out: memref<1x2x1x8x8xf32>) {
  linalg.generic {indexing_maps = [#in_d, #w_d, #o_d], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [1, 1], dilations = [2, 2]>} ins(%x, %w : memref<1x2x5x12xf32>, memref<2x2x3x3x8xf32>) outs(%out : memref<1x2x1x8x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// Stride 3, dilation 2 with a 3-wide kernel: taps read columns 3c + 2kw,
// never the same one twice within a row (taps 3 apart would); the loop over
// the taps stays, one filter vector and a broadcast per pixel each step.
// CHECK-LABEL: func @stride_three
// CHECK: scf.for %{{.*}} = %c0 to %c3
// CHECK: scf.for %{{.*}} = %c0 to %c3
// CHECK: scf.for %[[KW:[a-z0-9]+]] = %c0 to %c3
// CHECK: vector.load %arg1[%c0, %{{.*}}, %{{.*}}, %[[KW]], %c0]
// CHECK-NOT: vector.load %arg1
// CHECK: return
#in3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,c,oh*3+kh*2,ow*3+kw*2)>
#w3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(ob,c,kh,kw,co)>
#o3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,ob,oh,ow,co)>
func.func @stride_three(%x: memref<1x3x8x14xf32>, %w: memref<1x3x3x3x8xf32>, %out: memref<1x1x2x4x8xf32>) {
  linalg.generic {indexing_maps = [#in3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [3, 3], dilations = [2, 2]>} ins(%x, %w : memref<1x3x8x14xf32>, memref<1x3x3x3x8xf32>) outs(%out : memref<1x1x2x4x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

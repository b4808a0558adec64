// cnn-vectorize-blocked-convolutions: each step of a dense kernel's
// reduction (input block and tap) first prefetches the filter lines the
// next tile of output blocks reads at that step (the last block's where
// the next tile would run past it), one per 64-byte line: every other lane
// of 8 floats. A tile that covers every output block has no next one; a
// filter slice too large for it and its successor to share L2 (over 256 KB)
// is not prefetched. Only the tiles of a block's last 64 output pixels
// prefetch: the earlier ones would fetch the same lines again.
// RUN: cnnc-opt %s --split-input-file --cnn-vectorize-blocked-convolutions=vector-registers=16 --canonicalize | FileCheck %s

// 1x1, 2 -> 6 blocks of 8 on 3x10 pixels: tiles of 2 blocks (the parallel
// loop's first index), so blocks 2b + 2 and 2b + 3, at most 5, are next.
// CHECK-LABEL: func @next_blocks
// CHECK: scf.parallel (%[[TILE:.*]], %{{.*}}) = (%c0, %c0) to (%c3,
// CHECK: %[[FIRST:.*]] = arith.muli %[[TILE]], %c2 : index
// CHECK: %[[N0:.*]] = arith.addi %[[FIRST]], %c2 : index
// CHECK-NEXT: %[[NEXT0:.*]] = arith.minsi %[[N0]], %c5 : index
// CHECK-NEXT: %[[N1:.*]] = arith.addi %[[FIRST]], %c3 : index
// CHECK-NEXT: %[[NEXT1:.*]] = arith.minsi %[[N1]], %c5 : index
// CHECK: scf.for %[[UNIT:.*]] = %c0 to %c2 step %c1 iter_args
// CHECK-NEXT: scf.for %[[LANE:.*]] = %c0 to %c8 step %c2 {
// CHECK-NEXT: memref.prefetch %arg1[%[[NEXT0]], %[[UNIT]], %c0, %c0, %[[LANE]], %c0], read, locality<2>, data
// CHECK-NEXT: memref.prefetch %arg1[%[[NEXT1]], %[[UNIT]], %c0, %c0, %[[LANE]], %c0], read, locality<2>, data
// CHECK-NEXT: }
// CHECK-NOT: memref.prefetch
// CHECK: llvm.intr.fmuladd
// CHECK-NOT: memref.prefetch
// CHECK: return
#in = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @next_blocks(%x: memref<1x2x3x10x8xf32>, %w: memref<6x2x1x1x8x8xf32>, %out: memref<1x6x3x10x8xf32>) {
  linalg.generic {indexing_maps = [#in, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x2x3x10x8xf32>, memref<6x2x1x1x8x8xf32>) outs(%out : memref<1x6x3x10x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// Two output blocks, one tile of both: nothing comes next.
// CHECK-LABEL: func @one_tile
// CHECK-NOT: memref.prefetch
// CHECK: return
#in1 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w1 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o1 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @one_tile(%x: memref<1x2x3x10x8xf32>, %w: memref<2x2x1x1x8x8xf32>, %out: memref<1x2x3x10x8xf32>) {
  linalg.generic {indexing_maps = [#in1, #w1, #o1], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x2x3x10x8xf32>, memref<2x2x1x1x8x8xf32>) outs(%out : memref<1x2x3x10x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// 3x3, 64 -> 12 blocks of 8 on 2x2 pixels: tiles of 2 blocks, whose slice
// is 2 x 64 x 9 x 8 x 8 floats, 288 KB, more than the 256 KB a tile's
// slice and the next may take: no prefetch.
// CHECK-LABEL: func @large_slice
// CHECK-NOT: memref.prefetch
// CHECK: return
#in2 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w2 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o2 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @large_slice(%x: memref<1x64x4x4x8xf32>, %w: memref<12x64x3x3x8x8xf32>, %out: memref<1x12x2x2x8xf32>) {
  linalg.generic {indexing_maps = [#in2, #w2, #o2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x64x4x4x8xf32>, memref<12x64x3x3x8x8xf32>) outs(%out : memref<1x12x2x2x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// A first layer (plain_input, 3x3 over 3 NCHW channels, 4 output blocks):
// one filter vector per step and block, the tap's (kh, kw) in the indices.
// CHECK-LABEL: func @plain_input
// CHECK: scf.for %[[C:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK: scf.for %[[KH:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK: scf.for %[[KW:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK-NEXT: memref.prefetch %arg1[%{{.*}}, %[[C]], %[[KH]], %[[KW]], %c0], read, locality<2>, data : memref<4x3x3x3x8xf32>
// CHECK: return
#in3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,c,oh*3+kh*1,ow*3+kw*1)>
#w3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(ob,c,kh,kw,co)>
#o3 = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,ob,oh,ow,co)>
func.func @plain_input(%x: memref<1x3x6x30xf32>, %w: memref<4x3x3x3x8xf32>, %out: memref<1x4x2x10x8xf32>) {
  linalg.generic {indexing_maps = [#in3, #w3, #o3], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [3, 3], dilations = [1, 1]>} ins(%x, %w : memref<1x3x6x30xf32>, memref<4x3x3x3x8xf32>) outs(%out : memref<1x4x2x10x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// Two groups of 2 -> 2 blocks: the filter's second index is the input
// block within the group (the reduction's unit), the same for the next
// tile's blocks, which may be the next group's.
// CHECK-LABEL: func @grouped
// CHECK: scf.for %[[UNIT:.*]] = %c0 to %c2 step %c1 iter_args
// CHECK: scf.for %[[LANE:.*]] = %c0 to %c8 step %c2 {
// CHECK-NEXT: memref.prefetch %arg1[%{{.*}}, %[[UNIT]], %c0, %c0, %[[LANE]], %c0], read, locality<2>, data : memref<4x2x1x1x8x8xf32>
// CHECK: return
#in4 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,(ob floordiv 2)*2+cb,oh+kh,ow+kw,ci)>
#w4 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o4 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @grouped(%x: memref<1x4x3x10x8xf32>, %w: memref<4x2x1x1x8x8xf32>, %out: memref<1x4x3x10x8xf32>) {
  linalg.generic {indexing_maps = [#in4, #w4, #o4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1], group_in_blocks = 2, group_out_blocks = 2, group_in_channels = 16, lanes = 8>} ins(%x, %w : memref<1x4x3x10x8xf32>, memref<4x2x1x1x8x8xf32>) outs(%out : memref<1x4x3x10x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// 20x10 pixels, flattened into one row of 200 (a 1x1): only the tiles from
// pixel 200 - 64 = 136 on prefetch, in every step of their reduction; the
// last tile (pixels 198 and 199, a loop of its own) always does.
// CHECK-LABEL: func @last_pixels
// CHECK: scf.parallel (%{{.*}}, %[[TILE:.*]]) = (%c0, %c0) to (%c3, %c33)
// CHECK: %[[PIXEL:.*]] = arith.muli %[[TILE]], %c6 : index
// CHECK: %[[WINDOW:.*]] = arith.cmpi sge, %[[PIXEL]], %c136 : index
// CHECK: scf.for %[[UNIT:.*]] = %c0 to %c2 step %c1 iter_args
// CHECK-NEXT: scf.if %[[WINDOW]] {
// CHECK-NEXT: scf.for %[[LANE:.*]] = %c0 to %c8 step %c2 {
// CHECK-NEXT: memref.prefetch %arg1[%{{.*}}, %[[UNIT]], %c0, %c0, %[[LANE]], %c0], read, locality<2>, data
// CHECK-NEXT: memref.prefetch %arg1[%{{.*}}, %[[UNIT]], %c0, %c0, %[[LANE]], %c0], read, locality<2>, data
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NOT: memref.prefetch
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c3)
// CHECK-NOT: scf.if
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c8 step %c2 {
// CHECK-NEXT: memref.prefetch
// CHECK: return
#in5 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w5 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o5 = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @last_pixels(%x: memref<1x2x20x10x8xf32>, %w: memref<6x2x1x1x8x8xf32>, %out: memref<1x6x20x10x8xf32>) {
  linalg.generic {indexing_maps = [#in5, #w5, #o5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x2x20x10x8xf32>, memref<6x2x1x1x8x8xf32>) outs(%out : memref<1x6x20x10x8xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

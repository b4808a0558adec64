// cnn-vectorize-blocked-convolutions: the blocked convolution generics of
// cnn-assign-layout (on buffers) become register-tiled loops over vectors of
// a block's lanes, taking over the bias, the epilogue and the channel sum on
// their output; reorders become register transposes, dense layers dot
// products. A generic whose maps are not its form's is left alone.
// RUN: cnnc-opt %s --split-input-file --cnn-vectorize-blocked-convolutions=vector-registers=16 --canonicalize | FileCheck %s

// A dense 3x3 convolution, 16 -> 16 channels (2 blocks of 8) on 2 x 10
// pixels: a tile keeps 2 blocks x 6 pixels of accumulators (the bias
// vectors; 12 of AVX2's 16 registers, with 2 filter vectors and a
// broadcast), then 2 x 4 for the rest of the row, through the reduction
// over input blocks and taps; each step
// loads 2 filter vectors and broadcasts input values; the residual add and
// ReLU run on the accumulators, whose stored vectors also feed the channel
// sums.
// CHECK-LABEL: func @dense
// CHECK-COUNT-6: vector.load %arg2[%c0, %c0] : memref<2x8xf32>, vector<8xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.load %arg1[%c0, {{.*}}] : memref<2x2x3x3x8x8xf32>, vector<8xf32>
// CHECK: vector.load %arg1[%c1, {{.*}}] : memref<2x2x3x3x8x8xf32>, vector<8xf32>
// CHECK: memref.load %arg0
// CHECK-NEXT: vector.broadcast {{.*}} : f32 to vector<8xf32>
// CHECK-NEXT: llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK-NEXT: llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: arith.addf {{.*}} : vector<8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8xf32>
// CHECK: vector.store {{.*}}, %arg5
// CHECK: vector.load %arg4
// CHECK: vector.store {{.*}}, %arg4
// CHECK-NOT: linalg.generic
// CHECK: return
#in_dense = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w_dense = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o_dense = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
#bias_dense = affine_map<(a,b,c,d,e)->(b,e)>
#id_dense = affine_map<(a,b,c,d,e)->(a,b,c,d,e)>
func.func @dense(%x: memref<1x2x4x12x8xf32>, %w: memref<2x2x3x3x8x8xf32>, %b: memref<2x8xf32>, %r: memref<1x2x2x10x8xf32>, %sums: memref<1x2x1x1x8xf32>, %out: memref<1x2x2x10x8xf32>) {
  linalg.generic {indexing_maps = [#bias_dense, #id_dense], iterator_types = ["parallel","parallel","parallel","parallel","parallel"]} ins(%b : memref<2x8xf32>) outs(%out : memref<1x2x2x10x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#in_dense, #w_dense, #o_dense], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x2x4x12x8xf32>, memref<2x2x3x3x8x8xf32>) outs(%out : memref<1x2x2x10x8xf32>) {
    ^bb0(%a: f32, %bb: f32, %acc: f32):
      %m = arith.mulf %a, %bb : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id_dense, #id_dense], iterator_types = ["parallel","parallel","parallel","parallel","parallel"], cnnc.epilogue} ins(%r : memref<1x2x2x10x8xf32>) outs(%out : memref<1x2x2x10x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %s, %z : f32
      linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id_dense, affine_map<(a,b,c,d,e)->(a,b,0,0,e)>], iterator_types = ["parallel","parallel","reduction","reduction","parallel"], cnnc.channel_sum} ins(%out : memref<1x2x2x10x8xf32>) outs(%sums : memref<1x2x1x1x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
  }
  return
}


// -----

// in_channels that does not leave the last of the filter's input blocks
// part empty (3 channels, but the filter has 2 blocks of 8) would drop
// channels: the generic is left alone.
// CHECK-LABEL: func @in_channels_mismatch
// CHECK: linalg.generic {{.*}}in_channels = 3
#in_mismatch = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,cb,oh*1+kh*1,ow*1+kw*1,ci)>
#w_mismatch = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(ob,cb,kh,kw,ci,co)>
#o_mismatch = affine_map<(n,ob,oh,ow,co,cb,kh,kw,ci)->(n,ob,oh,ow,co)>
func.func @in_channels_mismatch(%x: memref<1x2x4x12x8xf32>, %w: memref<2x2x3x3x8x8xf32>, %out: memref<1x2x2x10x8xf32>) {
  linalg.generic {indexing_maps = [#in_mismatch, #w_mismatch, #o_mismatch], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1], in_channels = 3>} ins(%x, %w : memref<1x2x4x12x8xf32>, memref<2x2x3x3x8x8xf32>) outs(%out : memref<1x2x2x10x8xf32>) {
    ^bb0(%a: f32, %bb: f32, %acc: f32):
      %m = arith.mulf %a, %bb : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  return
}

// -----

// 4 channels per group: each input vector is shuffled once per position j
// of a group (lane l takes lane l / 4 * 4 + j) and feeds the taps that read
// it.
// CHECK-LABEL: func @lane_groups
// CHECK-DAG: vector.shuffle %{{.*}}, %{{.*}} [0, 0, 0, 0, 4, 4, 4, 4] : vector<8xf32>, vector<8xf32>
// CHECK-DAG: vector.shuffle %{{.*}}, %{{.*}} [3, 3, 3, 3, 7, 7, 7, 7] : vector<8xf32>, vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
#in_lane_groups = affine_map<(n,ob,oh,ow,l,kh,kw,j)->(n,ob,oh*1+kh*1,ow*1+kw*1,(l floordiv 4)*4+j)>
#w_lane_groups = affine_map<(n,ob,oh,ow,l,kh,kw,j)->(ob,kh,kw,j,l)>
#o_lane_groups = affine_map<(n,ob,oh,ow,l,kh,kw,j)->(n,ob,oh,ow,l)>
#bias_lane_groups = affine_map<(a,b,c,d,e)->(b,e)>
#id_lane_groups = affine_map<(a,b,c,d,e)->(a,b,c,d,e)>
func.func @lane_groups(%x: memref<1x2x4x7x8xf32>, %w: memref<2x3x3x4x8xf32>, %b: memref<2x8xf32>, %r: memref<1x2x2x5x8xf32>, %sums: memref<1x2x1x1x8xf32>, %out: memref<1x2x2x5x8xf32>) {
  linalg.generic {indexing_maps = [#bias_lane_groups, #id_lane_groups], iterator_types = ["parallel","parallel","parallel","parallel","parallel"]} ins(%b : memref<2x8xf32>) outs(%out : memref<1x2x2x5x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#in_lane_groups, #w_lane_groups, #o_lane_groups], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<lane_groups, strides = [1, 1], dilations = [1, 1], group_size = 4>} ins(%x, %w : memref<1x2x4x7x8xf32>, memref<2x3x3x4x8xf32>) outs(%out : memref<1x2x2x5x8xf32>) {
    ^bb0(%a: f32, %bb: f32, %acc: f32):
      %m = arith.mulf %a, %bb : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id_lane_groups, #id_lane_groups], iterator_types = ["parallel","parallel","parallel","parallel","parallel"], cnnc.epilogue} ins(%r : memref<1x2x2x5x8xf32>) outs(%out : memref<1x2x2x5x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %s, %z : f32
      linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id_lane_groups, affine_map<(a,b,c,d,e)->(a,b,0,0,e)>], iterator_types = ["parallel","parallel","reduction","reduction","parallel"], cnnc.channel_sum} ins(%out : memref<1x2x2x5x8xf32>) outs(%sums : memref<1x2x1x1x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
  }
  return
}


// -----

// Depthwise, stride 2: input vectors times one filter vector per tap.
// CHECK-LABEL: func @depthwise
// CHECK: %[[W:.*]] = vector.load %arg1[%{{.*}}, %c0, %c0, %c0] : memref<2x3x3x8xf32>, vector<8xf32>
// CHECK: %[[X:.*]] = vector.load %arg0{{.*}} : memref<1x2x7x11x8xf32>, vector<8xf32>
// CHECK: llvm.intr.fmuladd(%[[X]], %[[W]], %{{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
#in_depthwise = affine_map<(n,cb,oh,ow,l,kh,kw)->(n,cb,oh*2+kh*1,ow*2+kw*1,l)>
#w_depthwise = affine_map<(n,cb,oh,ow,l,kh,kw)->(cb,kh,kw,l)>
#o_depthwise = affine_map<(n,cb,oh,ow,l,kh,kw)->(n,cb,oh,ow,l)>
#bias_depthwise = affine_map<(a,b,c,d,e)->(b,e)>
#id_depthwise = affine_map<(a,b,c,d,e)->(a,b,c,d,e)>
func.func @depthwise(%x: memref<1x2x7x11x8xf32>, %w: memref<2x3x3x8xf32>, %b: memref<2x8xf32>, %r: memref<1x2x3x5x8xf32>, %sums: memref<1x2x1x1x8xf32>, %out: memref<1x2x3x5x8xf32>) {
  linalg.generic {indexing_maps = [#bias_depthwise, #id_depthwise], iterator_types = ["parallel","parallel","parallel","parallel","parallel"]} ins(%b : memref<2x8xf32>) outs(%out : memref<1x2x3x5x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#in_depthwise, #w_depthwise, #o_depthwise], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<depthwise, strides = [2, 2], dilations = [1, 1]>} ins(%x, %w : memref<1x2x7x11x8xf32>, memref<2x3x3x8xf32>) outs(%out : memref<1x2x3x5x8xf32>) {
    ^bb0(%a: f32, %bb: f32, %acc: f32):
      %m = arith.mulf %a, %bb : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id_depthwise, #id_depthwise], iterator_types = ["parallel","parallel","parallel","parallel","parallel"], cnnc.epilogue} ins(%r : memref<1x2x3x5x8xf32>) outs(%out : memref<1x2x3x5x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %s, %z : f32
      linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id_depthwise, affine_map<(a,b,c,d,e)->(a,b,0,0,e)>], iterator_types = ["parallel","parallel","reduction","reduction","parallel"], cnnc.channel_sum} ins(%out : memref<1x2x3x5x8xf32>) outs(%sums : memref<1x2x1x1x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
  }
  return
}


// -----

// A first layer reads its NCHW input: broadcasts of single values.
// CHECK-LABEL: func @plain_input
// CHECK: memref.load %arg0[{{.*}}] : memref<1x3x4x6xf32>
// CHECK-NEXT: vector.broadcast
// CHECK-NOT: linalg.generic
// CHECK: return
#in_plain_input = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,c,oh*1+kh*1,ow*1+kw*1)>
#w_plain_input = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(ob,c,kh,kw,co)>
#o_plain_input = affine_map<(n,ob,oh,ow,co,c,kh,kw)->(n,ob,oh,ow,co)>
#bias_plain_input = affine_map<(a,b,c,d,e)->(b,e)>
#id_plain_input = affine_map<(a,b,c,d,e)->(a,b,c,d,e)>
func.func @plain_input(%x: memref<1x3x4x6xf32>, %w: memref<1x3x3x3x8xf32>, %b: memref<1x8xf32>, %r: memref<1x1x2x4x8xf32>, %sums: memref<1x1x1x1x8xf32>, %out: memref<1x1x2x4x8xf32>) {
  linalg.generic {indexing_maps = [#bias_plain_input, #id_plain_input], iterator_types = ["parallel","parallel","parallel","parallel","parallel"]} ins(%b : memref<1x8xf32>) outs(%out : memref<1x1x2x4x8xf32>) {
    ^bb0(%a: f32, %o: f32):
      linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [#in_plain_input, #w_plain_input, #o_plain_input], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x3x4x6xf32>, memref<1x3x3x3x8xf32>) outs(%out : memref<1x1x2x4x8xf32>) {
    ^bb0(%a: f32, %bb: f32, %acc: f32):
      %m = arith.mulf %a, %bb : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id_plain_input, #id_plain_input], iterator_types = ["parallel","parallel","parallel","parallel","parallel"], cnnc.epilogue} ins(%r : memref<1x1x2x4x8xf32>) outs(%out : memref<1x1x2x4x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      %z = arith.constant 0.0 : f32
      %m = arith.maximumf %s, %z : f32
      linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id_plain_input, affine_map<(a,b,c,d,e)->(a,b,0,0,e)>], iterator_types = ["parallel","parallel","reduction","reduction","parallel"], cnnc.channel_sum} ins(%out : memref<1x1x2x4x8xf32>) outs(%sums : memref<1x1x1x1x8xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
  }
  return
}


// -----

// Marked, but the filter map is not the dense form's: left alone.
// CHECK-LABEL: func @not_the_form
// CHECK: linalg.generic
// CHECK-SAME: cnnc.blocked_conv
func.func @not_the_form(%x: memref<1x1x3x3x8xf32>, %w: memref<1x1x1x1x8x8xf32>, %y: memref<1x1x3x3x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, ob, oh, ow, co, cb, kh, kw, ci) -> (n, cb, oh + kh, ow + kw, ci)>, affine_map<(n, ob, oh, ow, co, cb, kh, kw, ci) -> (ob, cb, kh, kw, co, ci)>, affine_map<(n, ob, oh, ow, co, cb, kh, kw, ci) -> (n, ob, oh, ow, co)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"], cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>} ins(%x, %w : memref<1x1x3x3x8xf32>, memref<1x1x1x1x8x8xf32>) outs(%y : memref<1x1x3x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// NCHW -> blocked for 12 channels (a full block and 4 of the next) over a
// flattened 3 x 5 image: 8 rows of 8 pixels transposed with 3 stages of 8
// two-vector shuffles; the last block's missing channels are zeros.
// CHECK-LABEL: func @to_blocked
// CHECK: memref.collapse_shape %arg0 {{.*}} into memref<1x12x15xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xf32>, vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 8, 2, 10, 4, 12, 6, 14] : vector<8xf32>, vector<8xf32>
// CHECK: vector.maskedload
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @to_blocked(%x: memref<1x12x3x5xf32>, %y: memref<1x2x3x5x8xf32>) {
  %c8 = arith.constant 8 : index
  %c11 = arith.constant 11 : index
  %c12 = arith.constant 12 : index
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(a, b, c, d, e) -> (a, b, c, d, e)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"], cnnc.reorder = #cnnc.reorder<to_blocked>} outs(%y : memref<1x2x3x5x8xf32>) {
  ^bb0(%out: f32):
    %n = linalg.index 0 : index
    %b = linalg.index 1 : index
    %h = linalg.index 2 : index
    %w = linalg.index 3 : index
    %l = linalg.index 4 : index
    %base = arith.muli %b, %c8 : index
    %c = arith.addi %base, %l : index
    %valid = arith.cmpi ult, %c, %c12 : index
    %clamped = arith.minui %c, %c11 : index
    %v = memref.load %x[%n, %clamped, %h, %w] : memref<1x12x3x5xf32>
    %r = arith.select %valid, %v, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Blocked -> NCHW: the reverse transpose, masked stores of the valid
// pixels of each of the 12 channels.
// CHECK-LABEL: func @from_blocked
// CHECK: vector.shuffle
// CHECK: vector.maskedstore
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @from_blocked(%x: memref<1x2x3x5x8xf32>, %y: memref<1x12x3x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c floordiv 8, h, w, c mod 8)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"], cnnc.reorder = #cnnc.reorder<from_blocked>} ins(%x : memref<1x2x3x5x8xf32>) outs(%y : memref<1x12x3x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

// Blocked -> NCHW of 20 channels over a flattened 9 x 9 image, 81 pixels
// (11 vectors of 8): the pixels go to the parallel grid in spans of 6
// vectors, a full one and the last of 33 pixels (its own loop, under an
// scf.if), for the two full blocks and for the partial block of 4
// channels alike, so that few blocks still give every thread work.
// CHECK-LABEL: func @from_blocked_spans
// CHECK: scf.parallel (%[[BLOCK:.*]], %[[SPAN:.*]]) = (%c0, %c0) to (%c2, %c2) step (%c1, %c1)
// CHECK:   %[[FIRST:.*]] = arith.muli %[[SPAN]], %c48
// CHECK:   %[[FULL:.*]] = arith.cmpi ult, %[[SPAN]], %c1
// CHECK:   scf.if %[[FULL]] {
// CHECK:     scf.for %{{.*}} = %c0 to %c48 step %c8
// CHECK:   } else {
// CHECK:     scf.for %{{.*}} = %c0 to %c32 step %c8
// CHECK:     vector.maskedstore
// CHECK:   }
// CHECK: scf.parallel (%[[SPAN2:.*]]) = (%c0) to (%c2) step (%c1)
// CHECK:   scf.if
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @from_blocked_spans(%x: memref<1x3x9x9x8xf32>, %y: memref<1x20x9x9xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c floordiv 8, h, w, c mod 8)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"], cnnc.reorder = #cnnc.reorder<from_blocked>} ins(%x : memref<1x3x9x9x8xf32>) outs(%y : memref<1x20x9x9xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

// Blocked -> NCHW of 16 channels over a flattened 8 x 8 image, 64 pixels:
// every channel row starts on a whole vector of the buffer, and the stores
// stay on the buffer's vectors even when the buffer does not start on one
// (a caller's output from malloc): the shift to the next whole vector,
// from the buffer's address (plus its offset, 0 here); none, the tiles in
// order; else an unaligned
// tile at the span's start, aligned tiles from `shift` on, and an
// unaligned one at its end.
// CHECK-LABEL: func @from_blocked_aligned_stores
// CHECK: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[Y:.*]] :
// CHECK: %[[ELEMENT:.*]] = arith.divui %[[ADDRESS]], %c4
// CHECK: %[[OFF:.*]] = arith.remui %[[ELEMENT]], %c8
// CHECK: %[[BACK:.*]] = arith.subi %c8, %[[OFF]]
// CHECK: %[[SHIFT:.*]] = arith.remui %[[BACK]], %c8
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[SHIFT]], %c0
// CHECK: scf.parallel
// CHECK:   %[[BEGIN:.*]] = arith.muli
// CHECK:   scf.if %[[ALIGNED]] {
// CHECK:     scf.for %{{.*}} = %c0 to %c32 step %c8
// CHECK:   } else {
// CHECK:     vector.store %{{.*}}, %[[Y]][%c0, %{{.*}}, %[[BEGIN]]]
// CHECK:     %[[FIRST:.*]] = arith.addi %[[BEGIN]], %[[SHIFT]]
// CHECK:     scf.for %[[K:.*]] = %c0 to %c3 step %c1
// CHECK:       %[[STEP:.*]] = arith.muli %[[K]], %c8
// CHECK:       %[[COLUMN:.*]] = arith.addi %[[FIRST]], %[[STEP]]
// CHECK:       vector.store %{{.*}}, %[[Y]][%c0, %{{.*}}, %[[COLUMN]]]
// CHECK:     %[[LAST:.*]] = arith.addi %[[BEGIN]], %c24
// CHECK:     vector.store %{{.*}}, %[[Y]][%c0, %{{.*}}, %[[LAST]]]
// CHECK-NOT: vector.maskedstore
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @from_blocked_aligned_stores(%x: memref<1x2x8x8x8xf32>, %y: memref<1x16x8x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c floordiv 8, h, w, c mod 8)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"], cnnc.reorder = #cnnc.reorder<from_blocked>} ins(%x : memref<1x2x8x8x8xf32>) outs(%y : memref<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// -----

// A dense layer, 2 images x 20 features -> 3: rows of the weight times the
// input in 8-lane steps (two full, a masked tail of 4), reduced at the end
// onto the output's initial value.
// CHECK-LABEL: func @dense_layer
// CHECK: vector.load %arg0
// CHECK: vector.maskedload %arg1
// CHECK: vector.reduction <add>, %{{.*}}, %{{.*}} fastmath<reassoc> : vector<8xf32> into f32
// CHECK-NOT: linalg.matmul_transpose_b
// CHECK: return
func.func @dense_layer(%x: memref<2x20xf32>, %w: memref<3x20xf32>, %y: memref<2x3xf32>) {
  linalg.matmul_transpose_b ins(%x, %w : memref<2x20xf32>, memref<3x20xf32>) outs(%y : memref<2x3xf32>)
  return
}

// -----

// A global average pool's sum over a 13 x 13 NCHW image: vectors of 8 of
// its 169 pixels (the last one masked) in four chains, reduced at the end.
// CHECK-LABEL: func @image_sum
// CHECK: memref.collapse_shape %arg0 {{.*}} into memref<2x3x169xf32>
// CHECK: vector.maskedload
// CHECK: vector.reduction <add>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @image_sum(%x: memref<2x3x13x13xf32>, %s: memref<2x3x1x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, 0, 0)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x : memref<2x3x13x13xf32>) outs(%s : memref<2x3x1x1xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.addf %acc, %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The same in the blocked layout: one vector of the block's lanes per
// pixel, added into the sums' vector.
// CHECK-LABEL: func @blocked_image_sum
// CHECK: memref.collapse_shape %arg0 {{.*}} into memref<1x2x25x8xf32>
// CHECK: vector.load %{{.*}} : memref<1x2x25x8xf32>, vector<8xf32>
// CHECK: vector.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}, %c0, %c0, %c0] : memref<1x2x1x1x8xf32>, vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @blocked_image_sum(%x: memref<1x2x5x5x8xf32>, %s: memref<1x2x1x1x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, b, h, w, l) -> (n, b, h, w, l)>, affine_map<(n, b, h, w, l) -> (n, b, 0, 0, l)>], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x : memref<1x2x5x5x8xf32>) outs(%s : memref<1x2x1x1x8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.addf %acc, %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// An element-wise generic left over (a squeeze-and-excitation scale in
// NCHW): vectors along the rows, the scale of a channel loaded once and
// broadcast to every lane; a 5 x 5 image is one row of 25 (three vectors of
// 8 and a masked one), the images and channels in parallel. The sigmoid
// runs on vectors too.
// CHECK-LABEL: func @scale_channels
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[\[}}0], [1], [2, 3]] : memref<2x3x5x5xf32> into memref<2x3x25xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1], [2, 3]] : memref<2x3x5x5xf32> into memref<2x3x25xf32>
// CHECK: scf.parallel (%[[N:.*]], %[[C:.*]]) =
// CHECK: scf.for %[[I:.*]] = %c0 to %c24 step %c8
// CHECK: %[[V:.*]] = vector.load %[[X]][%[[N]], %[[C]], %[[I]]] : memref<2x3x25xf32>, vector<8xf32>
// CHECK: %[[S:.*]] = memref.load %arg1[%[[N]], %[[C]], %c0, %c0]
// CHECK: %[[B:.*]] = vector.broadcast %[[S]] : f32 to vector<8xf32>
// CHECK: %[[E:.*]] = math.exp %{{.*}} : vector<8xf32>
// CHECK: arith.mulf %[[V]], %{{.*}} : vector<8xf32>
// CHECK: vector.store %{{.*}}, %[[Y]][%[[N]], %[[C]], %[[I]]]
// CHECK: vector.maskedload %[[X]][%[[N]], %[[C]], %c24]
// CHECK: vector.maskedstore %[[Y]][%[[N]], %[[C]], %c24]
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @scale_channels(%x: memref<2x3x5x5xf32>, %s: memref<2x3x1x1xf32>, %y: memref<2x3x5x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, 0, 0)>, affine_map<(n, c, h, w) -> (n, c, h, w)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %s : memref<2x3x5x5xf32>, memref<2x3x1x1xf32>) outs(%y : memref<2x3x5x5xf32>) {
  ^bb0(%in: f32, %scale: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %neg = arith.negf %scale : f32
    %exp = math.exp %neg : f32
    %den = arith.addf %exp, %one : f32
    %sig = arith.divf %one, %den : f32
    %r = arith.mulf %in, %sig : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Not taken: a transposed operand (not contiguous along the rows), a row
// too short to fill a vector (rows of 2, 4 elements apart), a generic a
// kernel owns (cnnc.epilogue), and one that reads its own output at
// another element (the first column, broadcast along the rows).
// CHECK-LABEL: func @elementwise_left_alone
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: vector.
// CHECK: return
func.func @elementwise_left_alone(%x: memref<8x8xf32>, %y: memref<8x8xf32>, %v: memref<8x2xf32, strided<[4, 1]>>, %w: memref<8x2xf32, strided<[4, 1]>>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<8x8xf32>) outs(%y : memref<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%v : memref<8x2xf32, strided<[4, 1]>>) outs(%w : memref<8x2xf32, strided<[4, 1]>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%y : memref<8x8xf32>) attrs = {cnnc.epilogue} {
  ^bb0(%out: f32):
    %r = arith.negf %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, 0)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<8x8xf32>) outs(%y : memref<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A 3x3 stride-2 max pool in the blocked layout: one vector of the block's
// lanes per output pixel, started from the output's fill (which is erased;
// canonicalize folds max(-inf, x) to x), stored once. Max does not depend
// on the order of its taps, so a tile of 2 output pixels (16 registers)
// combines the 3 rows of each of its 5 input columns once, and each output
// combines its 3 columns: 14 maximumf for 2 outputs, not 16.
// CHECK-LABEL: func @blocked_max_pool
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel (%[[B:.*]], %[[R:.*]]) =
// CHECK: %[[ROW:.*]] = arith.muli %[[R]], %c2
// CHECK: scf.for %[[C:.*]] = %c0 to %c4 step %c2
// CHECK: %[[COL:.*]] = arith.muli %[[C]], %c2
// CHECK: vector.load %arg0[%c0, %[[B]], %[[ROW]], %[[COL]], %c0] : memref<1x2x7x9x8xf32>, vector<8xf32>
// CHECK-COUNT-12: arith.maximumf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT: arith.maximumf
// CHECK: vector.store %{{.*}}, %arg2[%c0, %[[B]], %[[R]], %[[C]], %c0] : memref<1x2x3x4x8xf32>, vector<8xf32>
// CHECK: %[[NEXT:.*]] = arith.addi %[[C]], %c1
// CHECK-COUNT-2: arith.maximumf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NOT: arith.maximumf
// CHECK: vector.store %{{.*}}, %arg2[%c0, %[[B]], %[[R]], %[[NEXT]], %c0] : memref<1x2x3x4x8xf32>, vector<8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @blocked_max_pool(%x: memref<1x2x7x9x8xf32>, %window: memref<3x3xf32>, %y: memref<1x2x3x4x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%y : memref<1x2x3x4x8xf32>)
  linalg.generic {indexing_maps = [affine_map<(n, b, h, w, kh, kw, l) -> (n, b, h * 2 + kh, w * 2 + kw, l)>, affine_map<(n, b, h, w, kh, kw, l) -> (kh, kw)>, affine_map<(n, b, h, w, kh, kw, l) -> (n, b, h, w, l)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x, %window : memref<1x2x7x9x8xf32>, memref<3x3xf32>) outs(%y : memref<1x2x3x4x8xf32>) {
  ^bb0(%in: f32, %unused: f32, %out: f32):
    %r = arith.maximumf %out, %in : f32
    linalg.yield %r : f32
  }
  return
}

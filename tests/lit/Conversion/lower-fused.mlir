// RUN: cnnc-opt %s --cnn-lower-to-linalg --split-input-file | FileCheck %s

// conv_epilogue: the convolution accumulates into the bias, then one
// generic, marked for the vector kernel, applies the chain in place.
// CHECK-LABEL: func @conv_epilogue
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%arg2 : tensor<1x4x5x5xf32>) outs(%[[CONV]] : tensor<1x4x5x5xf32>) attrs = {cnnc.epilogue}
// CHECK: arith.addf %[[OUT:.*]], %[[IN:.*]] : f32
// CHECK: arith.maximumf
// CHECK: return %[[EPI]]
func.func @conv_epilogue(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>, %r: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.fused "conv_epilogue"(%x, %w, %r) : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x3x3xf32>, %c: tensor<1x4x5x5xf32>):
    %1 = cnn.conv2d %a, %b pad [1, 1, 1, 1] : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.add %1, %c : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
    %3 = cnn.relu %2 : tensor<1x4x5x5xf32>
    cnn.yield %3 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// depthwise_pointwise in tiles of 2 rows over 8, 3x3 padded by 1: the first
// tile pads a row on top and the last one a row below, so they are emitted
// on their own; tiles 1 and 2 read rows 1-4 and 3-6 of the input and run in
// a loop. Each tile pads its own rows (left and right here) and writes its
// rows of the output.
// CHECK-LABEL: func @depthwise_pointwise
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 4, 3, 5] [1, 1, 1, 1]
// CHECK: tensor.pad {{.*}} low[0, 0, 1, 1] high[0, 0, 0, 1]
// CHECK: linalg.depthwise_conv_2d_nchw_chw {{.*}} -> tensor<1x4x2x5xf32>
// CHECK: linalg.generic {{.*}} attrs = {cnnc.epilogue}
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x8x2x5xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 8, 2, 5] [1, 1, 1, 1]
// CHECK: %[[LOOP:.*]] = scf.for %{{.*}} = %c1 to %c3 step %{{.*}} iter_args(%[[OUT:.*]] = %[[FIRST]]) -> (tensor<1x8x8x5xf32>)
// CHECK: tensor.extract_slice %arg0[0, 0, %{{.*}}, 0] [1, 4, 4, 5] [1, 1, 1, 1]
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[OUT]][0, 0, %{{.*}}, 0] [1, 8, 2, 5] [1, 1, 1, 1]
// CHECK: scf.yield
// CHECK: tensor.extract_slice %arg0[0, 0, 5, 0] [1, 4, 3, 5] [1, 1, 1, 1]
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 1] high[0, 0, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[LOOP]][0, 0, 6, 0] [1, 8, 2, 5] [1, 1, 1, 1]
func.func @depthwise_pointwise(%x: tensor<1x4x8x5xf32>, %dw: tensor<4x1x3x3xf32>, %pw: tensor<8x4x1x1xf32>) -> tensor<1x8x8x5xf32> {
  %0 = cnn.fused "depthwise_pointwise"(%x, %dw, %pw) {tile_rows = 2 : i64} : (tensor<1x4x8x5xf32>, tensor<4x1x3x3xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x5xf32> {
  ^bb0(%a: tensor<1x4x8x5xf32>, %b: tensor<4x1x3x3xf32>, %c: tensor<8x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b pad [1, 1, 1, 1] groups 4 : (tensor<1x4x8x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x5xf32>
    %2 = cnn.relu %1 : tensor<1x4x8x5xf32>
    %3 = cnn.conv2d %2, %c : (tensor<1x4x8x5xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x5xf32>
    cnn.yield %3 : tensor<1x8x8x5xf32>
  }
  return %0 : tensor<1x8x8x5xf32>
}

// -----

// A kind code generation does not know (a user's fusion) is inlined and
// lowered op by op.
// CHECK-LABEL: func @unknown_kind
// CHECK-NOT: cnn.
// CHECK: linalg.generic
// CHECK: math.exp
func.func @unknown_kind(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cnn.fused "my_fusion"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32> {
  ^bb0(%a: tensor<2x3xf32>):
    %1 = cnn.sigmoid %a : tensor<2x3xf32>
    cnn.yield %1 : tensor<2x3xf32>
  }
  return %0 : tensor<2x3xf32>
}

// -----

// An interleaved concat: each input is a strided channel slice.
// CHECK-LABEL: func @interleave
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x6x2x2xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0, 0] [1, 3, 2, 2] [1, 2, 1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[A]][0, 1, 0, 0] [1, 3, 2, 2] [1, 2, 1, 1]
func.func @interleave(%a: tensor<1x3x2x2xf32>, %b: tensor<1x3x2x2xf32>) -> tensor<1x6x2x2xf32> {
  %0 = cnn.concat %a, %b interleave : tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32> -> tensor<1x6x2x2xf32>
  return %0 : tensor<1x6x2x2xf32>
}

// -----

// bottleneck in tiles of 2 rows over 6, 3x3 padded by 1: tile 0 expands
// input rows 0-2 and pads a row on top, tile 1 expands rows 1-4, tile 2
// rows 3-5 and pads a row below. Only tile 1 is interior, and a loop of one
// tile is not worth it: each tile is emitted on its own.
// CHECK-LABEL: func @bottleneck
// CHECK-NOT: scf.for
// CHECK: tensor.extract_slice %arg0[0, 0, 0, 0] [1, 2, 3, 6] [1, 1, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x3x6xf32>
// CHECK: tensor.pad {{.*}} low[0, 0, 1, 1] high[0, 0, 0, 1]
// CHECK: linalg.depthwise_conv_2d_nchw_chw {{.*}} -> tensor<1x4x2x6xf32>
// CHECK: tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 2, 2, 6] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %arg0[0, 0, 1, 0] [1, 2, 4, 6] [1, 1, 1, 1]
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 1] high[0, 0, 0, 1]
// CHECK: tensor.insert_slice {{.*}}[0, 0, 2, 0] [1, 2, 2, 6] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %arg0[0, 0, 3, 0] [1, 2, 3, 6] [1, 1, 1, 1]
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 1] high[0, 0, 1, 1]
// CHECK: tensor.insert_slice {{.*}}[0, 0, 4, 0] [1, 2, 2, 6] [1, 1, 1, 1]
func.func @bottleneck(%x: tensor<1x2x6x6xf32>, %e: tensor<4x2x1x1xf32>, %d: tensor<4x1x3x3xf32>, %p: tensor<2x4x1x1xf32>) -> tensor<1x2x6x6xf32> {
  %0 = cnn.fused "bottleneck"(%x, %e, %d, %p) {tile_rows = 2 : i64} : (tensor<1x2x6x6xf32>, tensor<4x2x1x1xf32>, tensor<4x1x3x3xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x6x6xf32> {
  ^bb0(%a: tensor<1x2x6x6xf32>, %b: tensor<4x2x1x1xf32>, %c: tensor<4x1x3x3xf32>, %f: tensor<2x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x2x6x6xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x6x6xf32>
    %2 = cnn.conv2d %1, %c pad [1, 1, 1, 1] groups 4 : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
    %3 = cnn.conv2d %2, %f : (tensor<1x4x6x6xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x6x6xf32>
    cnn.yield %3 : tensor<1x2x6x6xf32>
  }
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// squeeze_excite: the sums start at zero before the convolution; the
// convolution and its activation are a conv_epilogue; the pool is a channel
// sum of its result, marked for the convolution kernel to take over, then a
// division; the excitation and the scale follow op by op.
// CHECK-LABEL: func @squeeze_excite
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<1x4x1x1xf32>
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw
// CHECK: %[[X:.*]] = linalg.generic {{.*}} outs(%[[CONV]] : tensor<1x4x5x5xf32>) attrs = {cnnc.epilogue}
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<1x4x5x5xf32>) outs(%[[ZERO]] : tensor<1x4x1x1xf32>) attrs = {cnnc.channel_sum}
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x4x1x1xf32>)
// CHECK: arith.constant 2.500000e+01
// CHECK: arith.divf
// CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[MEAN]], %arg2 :
// CHECK: %[[GATE:.*]] = linalg.generic
// CHECK: arith.divf
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[GATE]] : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>)
// CHECK: arith.mulf
// CHECK: return %[[Y]]
func.func @squeeze_excite(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>, %w1: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.fused "squeeze_excite"(%x, %w, %w1) : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x3x3xf32>, %c: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b pad [1, 1, 1, 1] : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.relu %1 : tensor<1x4x5x5xf32>
    %3 = cnn.global_avg_pool %2 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
    %4 = cnn.conv2d %3, %c : (tensor<1x4x1x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32>
    %5 = cnn.sigmoid %4 : tensor<1x4x1x1xf32>
    %6 = cnn.mul %2, %5 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
    cnn.yield %6 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

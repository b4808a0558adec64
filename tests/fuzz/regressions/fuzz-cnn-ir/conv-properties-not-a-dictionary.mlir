// cnn-vectorize-convolutions: convolutions on buffers become register-tiled
// loops over 8-lane vectors, their images and rows (depthwise: channels)
// as scf.parallel for threads; what the kernels cannot take is left alone.
// RUN: cnnc-opt %s --cnn-vectorize-convolutions --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-vectorize-convolutions="vector-lanes=16 vector-registers=32" --canonicalize | FileCheck %s --check-prefix=LANES16

// A 1x1 stride-1 convolution runs over the flattened 5x7 image: two full
// blocks of 16 columns (6 channels x 2 vectors = 12 accumulators carried
// through the loop over the 16 input channels), then the 3-column tail with
// masked loads and stores, and the 2 channels left over from 8 = 6 + 2.
// CHECK-LABEL: func @pointwise
// CHECK-DAG: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x16x5x7xf32> into memref<1x16x35xf32>
// CHECK-DAG: %[[Y:.*]] = memref.collapse_shape %arg2 {{\[}}[0], [1], [2, 3]] : memref<1x8x5x7xf32> into memref<1x8x35xf32>
// The two full column blocks run in parallel (the flattened image is one
// row).
// CHECK: scf.parallel (%[[BLOCK:.*]]) = (%c0) to (%c2) step (%c1) {
// CHECK: %[[COL:.*]] = arith.muli %[[BLOCK]], %c16 : index
// CHECK-COUNT-12: vector.load %[[Y]]
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vecto.constant_mask [7] : vector<16xi1>
// CHECK: %[[WIDE:.*]] = vector.maskedload %arg0[{{.*}}], %[[SPAN]], %{{.*}} : memref<1x2x9x9xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6, 8, 10, 12, 14] : vector<16xf32>, vector<16xf32>
// CHECK-COUNT-12: vector.maskedstore
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @strided(%x: memref<1x2x9x9xf32>, %w: memref<12x2x3x3xf32>,
                   %y: memref<1x12x4x4xf32>) {
  linalg.conv_2d_nchw_fchw
    {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : memref<1x2x9x9xf32>, memref<12x2x3x3xf32>)
    outs(%y : memref<1x12x4x4xf32>)
  return
}

// Depthwise: up to 4 vectors of one row of one channel, accumulated over the
// 3x3 taps with dilation 2.
// CHECK-LABEL: func @depthwise
// CHECK: scf.parallel (%[[C:.*]]) = (%c0) to (%c3) step (%c1) {
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c6 step %c1 {
// CHECK-COUNT-3: vector.load %arg2[%c0, %[[C]], %[[ROW]]
// CHECK: vector.maskedload %arg2
// The one block of 26 columns is partial: its taps are unrolled, each
// loading 3 vectors and the 2 valid lanes of the fourth.
// CHECK: memref.load %arg1[%[[C]], %c0, %c0] : memref<3x3x3xf32>
// CHECK-COUNT-3: vector.load %arg0[%c0, %[[C]], %[[ROW]]
// CHECK: vector.maskedload %arg0[%c0, %[[C]], %[[ROW]], %c24]
// CHECK: %[[ROW2:.*]] = arith.addi %[[ROW]], %c2 : index
// CHECK: memref.load %arg1[%[[C]], %c1, %c0] : memref<3x3x3xf32>
// CHECK: vector.load %arg0[%c0, %[[C]], %[[ROW2]], %c0]
// CHECK: memref.load %arg1[%[[C]], %c2, %c2] : memref<3x3x3xf32>
// CHECK: vector.maskedload %arg0[%c0, %{{.*}}, %{{.*}}, %c28]
// CHECK-COUNT-3: vector.store %{{.*}}, %arg2
// CHECK: vector.maskedstore %arg2
// CHECK-NOT: scf.for
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: memref<1x3x10x30xf32>, %w: memref<3x3x3xf32>,
                     %y: memref<1x3x6x26xf32>) {
  linalg.depthwise_conv_2d_nchw_chw
    {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x3x10x30xf32>, memref<3x3x3xf32>)
    outs(%y : memref<1x3x6x26xf32>)
  return
}

// A depthwise convolution of a zero-padded copy of a function argument
// reads the argument: the fill and the copy go, row 0 skips the taps of
// the padding row above, the first column block shifts its first vector
// by one lane at tap kw = 0 (lane 0 is padding), the blocks whose taps all
// read inside the row run in a loop over taps, and the last block and row
// are checked too.
// CHECK-LABEL: func @padded_depthwise
// CHECK-NOT: linalg.map
// CHECK-NOT: linalg.copy
// CHECK: scf.parallel (%[[C:.*]]) = (%c0) to (%c2) step (%c1) {
// Row 0, block 0: taps start at kh = 1, reading input row 0.
// CHECK-NOT: memref.load %arg1[%[[C]], %c0
// CHECK: memref.load %arg1[%[[C]], %c1, %c0]
// CHECK: %[[SHIFTED:.*]] = vector.maskedload %arg0[%c0, %[[C]], %c0, %c0], %{{.*}} : memref<1x2x6x100xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: vector.shuffle %{{.*}}, %[[SHIFTED]] [0, 8, 9, 10, 11, 12, 13, 14]
// The inside blocks of row 0, columns 32 to 96: unrolled taps from kh = 1.
// CHECK: scf.for %{{.*}} = %c32 to %c96 step %c32 {
// CHECK-NOT: memref.load %arg1[%[[C]], %c0
// CHECK: memref.load %arg1[%[[C]], %c1, %c0]
// The inside rows 1 to 5, their inside blocks looping over all taps.
// CHECK: scf.for %[[ROW:.*]] = %c1 to %c5 step %c1 {
// CHECK: scf.for %{{.*}} = %c32 to %c96 step %c32 {
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
// CHECK: return
func.func @padded_depthwise(%x: memref<1x2x6x100xf32>, %w: memref<2x3x3xf32>,
                            %y: memref<1x2x6x100xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = memref.alloc() : memref<1x2x8x102xf32>
  linalg.map outs(%padded : memref<1x2x8x102xf32>)
    () {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 2, 6, 100] [1, 1, 1, 1]
      : memref<1x2x8x102xf32> to memref<1x2x6x100xf32, strided<[1632, 816, 102, 1], offset: 103>>
  linalg.copy ins(%x : memref<1x2x6x100xf32>)
      outs(%interior : memref<1x2x6x100xf32, strided<[1632, 816, 102, 1], offset: 103>>)
  linalg.depthwise_conv_2d_nchw_chw
    {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<1x2x8x102xf32>, memref<2x3x3xf32>)
    outs(%y : memref<1x2x6x100xf32>)
  memref.dealloc %padded : memref<1x2x8x102xf32>
  return
}

// A padded copy of a buffer that is not a function argument stays: the
// memory of such a buffer may be reused after its// CHECK: linalg.map
// CHECK: linalg.copy
// CHECK: linalg.fill
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
// CHECK: return
func.func @padded_depthwise_of_rewritten_argument(
    %x: memref<1x2x6x100xf32>, %w: memref<2x3x3xf32>,
    %y: memref<1x2x6x100xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() : memref<1x2x8x102xf32>
  linalg.map outs(%padded : memref<1x2x8x102xf32>)
    () {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %padded[0, 0, 1, 1] [1, 2, 6, 100] [1, 1, 1, 1]
      : memref<1x2x8x102xf32> to memref<1x2x6x100xf32, strided<[1632, 816, 102, 1], offset: 103>>
  linalg.copy ins(%x : memref<1x2x6x100xf32>)
      outs(%interior : memref<1x2x6x100xf32, strided<[1632, 816, 102, 1], offset: 103>>)
  linalg.fill ins(%one : f32) outs(%x : memref<1x2x6x100xf32>)
  linalg.depthwise_conv_2d_nchw_chw
    {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<1x2x8x102xf32>, memref<2x3x3xf32>)
    outs(%y : memref<1x2x6x100xf32>)
  return
}

// A constant filter is prepacked: w[o][c] = 2 * o + c, 8 channels in tiles
// of 6, becomes [2 blocks][2 input channels][6 lanes] with the last block's
// missing channels zero: [0 2 4 6 8 10 | 1 3 5 7 9 11 | 12 14 0 0 0 0 |
// 13 15 0 0 0 0] (checked in the blob at the end). Each step broadcasts
// adjacent values of the packed copy.
// CHECK-LABEL: func @packed
// CHECK: %[[P:.*]] = memref.get_global @w_packed6 : memref<24xf32>
// CHECK: scf.for
// CHECK: memref.load %[[P]][%{{.*}}] : memref<24xf32>
// CHECK-NEXT: vector.broadcast
// CHECK-NOT: memref.load %{{.*}} : memref<8x2x1x1xf32>
memref.global "private" constant @w : memref<8x2x1x1xf32> = dense<[[[[0.0]], [[1.0]]], [[[2.0]], [[3.0]]], [[[4.0]], [[5.0]]], [[[6.0]], [[7.0]]], [[[8.0]], [[9.0]]], [[[10.0]], [[11.0]]], [[[12.0]], [[13.0]]], [[[14.0]], [[15.0]]]]>
func.func @packed(%x: memref<1x2x1x20xf32>, %y: memref<1x8x1x20xf32>) {
  %w = memref.get_global @w : memref<8x2x1x1xf32>
  linalg.conv_2d_nchw_fchw
    <1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%dx, %dw : memref<?x2x4x4xf32>, memref<2x1x1xf32>)
    outs(%dy : memref<?x2x4x4xf32>)
  return %r : tensor<1x3x4x4xf32>
}

// CHECK: w_packed6: "0x040000000000000000000040000080400000C04000000041000020410000803F000040400000A0400000E0400000104100003041000040410000604100000000000000000000000000000000000050410000704100000000000000000000000000000000"

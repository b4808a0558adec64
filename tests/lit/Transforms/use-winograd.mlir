// cnn-use-winograd: a blocked 3x3 stride-1 convolution becomes the input
// transform, a grouped 1x1 convolution over the alpha^2 transformed planes
// with a filter transformed at compile time, and the output transform,
// which adds to the convolution's bias init; the ReLU epilogue stays after
// it. The input's padding grows to whole tiles (30 = 7 tiles of 4 and a
// part: 8 * 4 + 2 = 34 rows). Convolutions without the form (stride 2) or
// with too few channels stay direct. The cost rule may take F(4x4, 3x3)
// (max-tile=4, the default); with max-tile=2 it takes tiles of 2 only
// (TILE2).
// RUN: cnnc-opt %s --cnn-fuse-epilogue --cnn-lower-to-linalg --cnn-assign-layout=block=8 --cnn-use-winograd --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-fuse-epilogue --cnn-lower-to-linalg --cnn-assign-layout=block=8 --cnn-use-winograd=max-tile=2 --canonicalize | FileCheck %s --check-prefix=TILE2
// RUN: cnnc-opt %s --cnn-fuse-epilogue --cnn-lower-to-linalg --cnn-assign-layout=block=8 --cnn-use-winograd=min-channels=64 --canonicalize | FileCheck %s --check-prefix=FEW
// The kernels of cnn-vectorize-blocked-convolutions replace the transforms:
// the input transform loads the 6x6 vectors of a tile from the padded input
// and stores its 36 transformed vectors; the output transform applies the
// ReLU epilogue and stores into the output; no generic is left.
// RUN: cnnc-opt %s --cnnc-lower-to-loops="block=8 vector-lanes=8 winograd-max-tile=4" | FileCheck %s --check-prefix=LOOPS
// RUN: not cnnc-opt %s --cnn-lower-to-linalg --cnn-assign-layout=block=8 --cnn-use-winograd=tile=3 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d3, d4 * 4 + d7, d5 * 4 + d8, d6)>
// CHECK-DAG: #[[$PRODUCTS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d5, d6, d1, d2 floordiv 4, d3 floordiv 4, d4)>
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2 mod 4, d5)>

// CHECK-LABEL: func @winograd
// CHECK: %[[PADDED:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1, 0] high[0, 0, 3, 3, 0]
// CHECK: %[[V:.*]] = linalg.generic {indexing_maps = [#[[$IN]], {{.*}}]{{.*}} ins(%[[PADDED]], %{{.*}}, %{{.*}} : tensor<1x4x34x34x8xf32>, tensor<6x6xf32>, tensor<6x6xf32>) outs(%{{.*}} : tensor<1x6x6x4x8x8x8xf32>) attrs =  {cnnc.winograd_input = 4 : i64}
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[V]] {{\[\[}}0], [1, 2, 3], [4], [5], [6]] : tensor<1x6x6x4x8x8x8xf32> into tensor<1x144x8x8x8xf32>
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[FLAT]], %{{.*}} : tensor<1x144x8x8x8xf32>, tensor<144x4x1x1x8x8xf32>) {{.*}} attrs =  {cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1], group_in_blocks = 4, group_out_blocks = 4, group_in_channels = 32, lanes = 8>}
// CHECK: %[[PLANES:.*]] = tensor.expand_shape %[[M]] {{.*}} into tensor<1x6x6x4x8x8x8xf32>
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x30x30x8xf32>)
// CHECK: %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[$PRODUCTS]], #[[$ROWS]], {{.*}}]{{.*}} ins(%[[PLANES]], %{{.*}}, %{{.*}} : tensor<1x6x6x4x8x8x8xf32>, tensor<4x6xf32>, tensor<4x6xf32>) outs(%[[BIAS]] : tensor<1x4x30x30x8xf32>) attrs =  {cnnc.winograd_output = 4 : i64}
// CHECK: linalg.generic {{.*}} outs(%[[OUT]] : tensor<1x4x30x30x8xf32>) attrs =  {cnnc.epilogue}
// CHECK: arith.maximumf
// TILE2-LABEL: func @winograd
// TILE2: tensor.pad %{{.*}} low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// TILE2: cnnc.winograd_input = 2
// TILE2: tensor<1x64x15x15x8xf32>, tensor<64x4x1x1x8x8xf32>
// TILE2: cnnc.winograd_output = 2
// FEW-LABEL: func @winograd
// FEW-NOT: winograd
// FEW: cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>
// LOOPS-LABEL: func.func @winograd
// LOOPS-NOT: linalg.generic
// LOOPS-COUNT-36: vector.load {{.*}} : memref<1x4x34x34x8xf32>, vector<8xf32>
// LOOPS-COUNT-36: vector.store {{.*}} : memref<1x6x6x4x8x8x8xf32>, vector<8xf32>
// LOOPS: vector.load {{.*}} : memref<1x6x6x4x8x8x8xf32>, vector<8xf32>
// LOOPS: arith.maximumf {{.*}} : vector<8xf32>
// LOOPS: vector.store {{.*}} : memref<1x4x30x30x8xf32>, vector<8xf32>
// LOOPS-NOT: linalg.generic
// LOOPS-LABEL: func.func @direct
// BAD: cnn-use-winograd: tile must be 0, 2 or 4 and max-tile 2 or 4, got 3 and 4
func.func @winograd(%x: tensor<1x32x30x30xf32>) -> tensor<1x32x30x30xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<32x32x3x3xf32>
  %b = cnn.weight "b" = dense<0.25> : tensor<32xf32>
  %0 = cnn.conv2d %x, %w bias %b pad [1, 1, 1, 1] : (tensor<1x32x30x30xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>) -> tensor<1x32x30x30xf32>
  %1 = cnn.relu %0 : tensor<1x32x30x30xf32>
  return %1 : tensor<1x32x30x30xf32>
}

// Stride 2, and 8 channels (one block, under min-channels): direct.
// CHECK-LABEL: func @direct
// CHECK-NOT: winograd
// CHECK: cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [2, 2], dilations = [1, 1]>
// CHECK-NOT: winograd
// CHECK: cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>
// CHECK-NOT: winograd
// CHECK: return
func.func @direct(%x: tensor<1x32x30x30xf32>) -> tensor<1x8x15x15xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<32x32x3x3xf32>
  %0 = cnn.conv2d %x, %w stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x32x30x30xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x15x15xf32>
  %w2 = cnn.weight "w2" = dense<0.5> : tensor<8x32x3x3xf32>
  %1 = cnn.conv2d %0, %w2 pad [1, 1, 1, 1] : (tensor<1x32x15x15xf32>, tensor<8x32x3x3xf32>) -> tensor<1x8x15x15xf32>
  return %1 : tensor<1x8x15x15xf32>
}

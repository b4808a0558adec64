// cnn-assign-layout: convolutions with a blocked form run on [N, C/L, H, W, L]
// tensors, the layout spreads through the ops that work channel by channel,
// and NCHW comes back only at the outputs and before the ops that need it.
// Regions that the NCHW kernels run as fast stay NCHW by default
// (assign-layout-lone-convolutions.mlir, assign-layout-nchw-chains.mlir);
// here they are blocked too, to test the rewrite.
// RUN: cnnc-opt %s --cnn-lower-to-linalg --cnn-assign-layout="block=8 lone-convolutions-in-nchw=false" --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --cnn-lower-to-linalg --cnn-assign-layout=block=0 | FileCheck %s --check-prefix=NCHW

// NCHW-NOT: tensor.pack
// NCHW-NOT: cnnc.blocked_conv

// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4)>
// CHECK-DAG: #[[$DENSE_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
// CHECK-DAG: #[[$DENSE_W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
// CHECK-DAG: #[[$PLAIN_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d2 * 2 + d6, d3 * 2 + d7)>
// CHECK-DAG: #[[$LANES_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 + d5, d3 + d6, (d4 floordiv 4) * 4 + d7)>
// CHECK-DAG: #[[$GROUP_IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, (d1 floordiv 2) * 2 + d5, d2 + d6, d3 + d7, d8)>

// One-group convolution with a residual: the input is packed once (it feeds
// both the convolution and the epilogue), the output unpacked once.
// The input is packed once, then padded blocked; the convolution's filter
// and bias are repacked constants; the residual add reads the same pack.
// CHECK-LABEL: func @conv_residual
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x2x3x3x8x8xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x8xf32>
// CHECK: %[[PACK:.*]] = tensor.pack %arg0 inner_dims_pos = [1] inner_tiles = [8] into %{{.*}} : tensor<1x16x6x6xf32> -> tensor<1x2x6x6x8xf32>
// CHECK: %[[PADDED:.*]] = tensor.pad %[[PACK]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], {{.*}}]{{.*}} ins(%[[B]] : tensor<2x8xf32>)
// CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[$DENSE_IN]], #[[$DENSE_W]], {{.*}}]{{.*}} ins(%[[PADDED]], %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x6x6x8xf32>) attrs =  {cnnc.blocked_conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>}
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[CONV]], %[[PACK]] : tensor<1x2x6x6x8xf32>, tensor<1x2x6x6x8xf32>)
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[ADD]] : tensor<1x2x6x6x8xf32>)
// CHECK-NOT: tensor.pack
// CHECK: %[[OUT:.*]] = tensor.unpack %[[RELU]] inner_dims_pos = [1] inner_tiles = [8] into %{{.*}} : tensor<1x2x6x6x8xf32> -> tensor<1x16x6x6xf32>
// CHECK: return %[[OUT]]
func.func @conv_residual(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x3x3xf32>
  %b = cnn.weight "b" = dense<0.25> : tensor<16xf32>
  %0 = cnn.conv2d %x, %w bias %b pad [1, 1, 1, 1] : (tensor<1x16x6x6xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.add %0, %x : tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32> -> tensor<1x16x6x6xf32>
  %2 = cnn.relu %1 : tensor<1x16x6x6xf32>
  return %2 : tensor<1x16x6x6xf32>
}

// A first layer with 3 channels reads NCHW; 20 output channels are padded
// to 3 blocks of 8; the pool and the activation stay blocked.
// 3 input channels: the convolution reads the padded NCHW input; 20
// channels fill 3 blocks; the max pool (as a generic) and the sigmoid stay
// blocked, with the lanes innermost.
// CHECK-LABEL: func @stem
// CHECK-NOT: tensor.pack
// CHECK: %[[PADDED:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[$PLAIN_IN]], {{.*}}]{{.*}} ins(%[[PADDED]], %{{.*}} : tensor<1x3x11x11xf32>, tensor<3x3x3x3x8xf32>) outs(%{{.*}} : tensor<1x3x5x5x8xf32>) attrs =  {cnnc.blocked_conv = #cnnc.blocked_conv<plain_input, strides = [2, 2], dilations = [1, 1]>}
// CHECK: %[[POOL:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[CONV]], %{{.*}} : tensor<1x3x5x5x8xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x3x4x4x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SIGMOID:.*]] = linalg.generic {{.*}} ins(%[[POOL]] : tensor<1x3x4x4x8xf32>)
// CHECK: math.exp
// CHECK: tensor.unpack %[[SIGMOID]] {{.*}} : tensor<1x3x4x4x8xf32> -> tensor<1x20x4x4xf32>
func.func @stem(%x: tensor<1x3x9x9xf32>) -> tensor<1x20x4x4xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<20x3x3x3xf32>
  %0 = cnn.conv2d %x, %w stride [2, 2] pad [1, 1, 1, 1] : (tensor<1x3x9x9xf32>, tensor<20x3x3x3xf32>) -> tensor<1x20x5x5xf32>
  %1 = cnn.max_pool2d %0 kernel [2, 2] stride [1, 1] : tensor<1x20x5x5xf32> -> tensor<1x20x4x4xf32>
  %2 = cnn.sigmoid %1 : tensor<1x20x4x4xf32>
  return %2 : tensor<1x20x4x4xf32>
}

// Depthwise, grouped with 4 channels per group, grouped with whole blocks
// per group; a grouped convolution with 3 in and 5 out channels per group
// has no blocked form and reads NCHW.
// CHECK-LABEL: func @groups
// CHECK: tensor.pack %arg0
// CHECK: #cnnc.blocked_conv<depthwise
// CHECK: linalg.generic {indexing_maps = [#[[$LANES_IN]], {{.*}}]{{.*}}#cnnc.blocked_conv<lane_groups, strides = [1, 1], dilations = [1, 1], group_size = 4>
// CHECK: linalg.generic {indexing_maps = [#[[$GROUP_IN]], {{.*}}]{{.*}}#cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1], group_in_blocks = 2, group_out_blocks = 2, group_in_channels = 16, lanes = 8>
// CHECK: %[[BACK:.*]] = tensor.unpack
// CHECK: tensor.expand_shape %[[BACK]] {{.*}} into tensor<1x2x16x5x5xf32>
// CHECK-NOT: cnnc.blocked_conv
// CHECK: return
func.func @groups(%x: tensor<1x32x5x5xf32>) -> tensor<1x10x5x5xf32> {
  %dw = cnn.weight "dw" = dense<0.5> : tensor<32x1x3x3xf32>
  %g4 = cnn.weight "g4" = dense<0.5> : tensor<32x4x3x3xf32>
  %g16 = cnn.weight "g16" = dense<0.5> : tensor<32x16x1x1xf32>
  %odd = cnn.weight "odd" = dense<0.5> : tensor<10x16x1x1xf32>
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 32 : (tensor<1x32x5x5xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x5x5xf32>
  %1 = cnn.conv2d %0, %g4 pad [1, 1, 1, 1] groups 8 : (tensor<1x32x5x5xf32>, tensor<32x4x3x3xf32>) -> tensor<1x32x5x5xf32>
  %2 = cnn.conv2d %1, %g16 groups 2 : (tensor<1x32x5x5xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x5x5xf32>
  %3 = cnn.conv2d %2, %odd groups 2 : (tensor<1x32x5x5xf32>, tensor<10x16x1x1xf32>) -> tensor<1x10x5x5xf32>
  return %3 : tensor<1x10x5x5xf32>
}

// A pointwise convolution reads its NCHW input; a concatenation at a block
// boundary stays blocked; a slice that cuts a
// block reads NCHW.
// CHECK-LABEL: func @channels
// CHECK: %[[A:.*]] = linalg.generic {{.*}}#cnnc.blocked_conv<plain_input
// CHECK: %[[B:.*]] = linalg.generic {{.*}}ins(%[[A]], {{.*}}#cnnc.blocked_conv<dense
// CHECK: %[[BU:.*]] = tensor.unpack %[[B]]
// CHECK: %[[CAT0:.*]] = tensor.insert_slice %[[A]] into %{{.*}}[0, 0, 0, 0, 0] [1, 1, 4, 4, 8] [1, 1, 1, 1, 1] : tensor<1x1x4x4x8xf32> into tensor<1x2x4x4x8xf32>
// CHECK: %[[CAT1:.*]] = tensor.insert_slice %[[B]] into %[[CAT0]][0, 1, 0, 0, 0] [1, 1, 4, 4, 8]
// CHECK: %[[CAT:.*]] = tensor.unpack %[[CAT1]] {{.*}} -> tensor<1x16x4x4xf32>
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[BU]][0, 2, 0, 0] [1, 4, 4, 4] [1, 1, 1, 1] : tensor<1x8x4x4xf32> to tensor<1x4x4x4xf32>
// CHECK: return %[[CAT]], %[[SLICE]]
func.func @channels(%x: tensor<1x8x4x4xf32>) -> (tensor<1x16x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = cnn.weight "w" = dense<0.5> : tensor<8x8x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.conv2d %0, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnn.concat %0, %1 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32> -> tensor<1x16x4x4xf32>
  %3 = cnn.slice %1 offset 2 size 4 : tensor<1x8x4x4xf32> -> tensor<1x4x4x4xf32>
  return %2, %3 : tensor<1x16x4x4xf32>, tensor<1x4x4x4xf32>
}

// A 1-D convolution as ONNX's importer writes it: a 2-D convolution over a
// reshaped (expand_shape) input. The blocked form packs that view, which
// therefore stays.
// CHECK-LABEL: func @conv1d_view
// CHECK: %[[VIEW:.*]] = tensor.expand_shape %arg0
// CHECK: tensor.pack %[[VIEW]] inner_dims_pos = [1] inner_tiles = [8] into %{{.*}} : tensor<1x16x1x20xf32> -> tensor<1x2x1x20x8xf32>
// CHECK: cnnc.blocked_conv<dense
func.func @conv1d_view(%x: tensor<1x16x20xf32>) -> tensor<1x16x1x18xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x3xf32>
  %0 = cnn.reshape %x to [1, 16, 1, 20] : tensor<1x16x20xf32>
  %1 = cnn.conv2d %0, %w : (tensor<1x16x1x20xf32>, tensor<16x16x1x3xf32>) -> tensor<1x16x1x18xf32>
  return %1 : tensor<1x16x1x18xf32>
}

// cnn-lower-to-linalg: each op family becomes tileable linalg ops on tensors.
// RUN: cnnc-opt %s --cnn-lower-to-linalg -split-input-file | FileCheck %s
// RUN: cnnc-opt %s --cnn-lower-to-linalg -split-input-file | FileCheck %s --check-prefix=NO-CNN
// NO-CNN-NOT: cnn.

// CHECK-LABEL: func @conv_one_group
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 3, 4]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
func.func @conv_one_group(%x: tensor<1x3x9x9xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x9x7xf32> {
  %0 = cnn.conv2d %x, %w bias %b stride [1, 2] pad [1, 2, 3, 4] dilation [2, 1] : (tensor<1x3x9x9xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x9x7xf32>
  return %0 : tensor<1x8x9x7xf32>
}

// -----

// Grouped and depthwise convolutions: a generic over grouped views.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6 * 2, d4 * 2 + d7 * 2)>
// CHECK-LABEL: func @depthwise_multiplier_two
// CHECK: linalg.fill
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 4, 1, 11, 11]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [4, 2, 1, 3, 3]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: tensor.collapse_shape
func.func @depthwise_multiplier_two(%x: tensor<1x4x11x11xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.conv2d %x, %w stride [2, 2] dilation [2, 2] groups 4 : (tensor<1x4x11x11xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Deformable: the samples (times the mask) as columns [N, C*KH*KW, Ho, Wo],
// computed once each, then a grouped 1x1 convolution with the filter as
// [O, C/G*KH*KW, 1, 1].
// CHECK-LABEL: func @deformable
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x4x3x3x6x6xf32>)
// CHECK: linalg.index 5
// CHECK: tensor.extract %arg1
// CHECK: math.floor
// CHECK: tensor.extract %arg0
// CHECK: tensor.extract %arg3
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3], [4], [5]] : tensor<1x4x3x3x6x6xf32> into tensor<1x36x6x6xf32>
// CHECK: tensor.collapse_shape %arg2 {{\[\[}}0], [1, 2, 3]] : tensor<4x2x3x3xf32> into tensor<4x18xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [4, 18, 1, 1]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
func.func @deformable(%x: tensor<1x4x6x6xf32>, %off: tensor<1x36x6x6xf32>, %w: tensor<4x2x3x3xf32>, %m: tensor<1x18x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %0 = cnn.deform_conv2d %x, %off, %w mask %m pad [1, 1, 1, 1] groups 2 offset_groups 2 : (tensor<1x4x6x6xf32>, tensor<1x36x6x6xf32>, tensor<4x2x3x3xf32>, tensor<1x18x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Ceil mode: the last window needs one more row and column of -inf.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_ceil(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func @avg_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @avg_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %0 = cnn.avg_pool2d %x kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1] : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func @dense
// CHECK: linalg.matmul_transpose_b ins(%arg0, %arg1 : tensor<2x16xf32>, tensor<10x16xf32>)
func.func @dense(%x: tensor<2x16xf32>, %w: tensor<10x16xf32>, %b: tensor<10xf32>) -> tensor<2x10xf32> {
  %0 = cnn.dense %x, %w bias %b : (tensor<2x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// CHECK-LABEL: func @channels
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0, 0] [1, 4, 5, 5] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %arg1 into %{{.*}}[0, 4, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1]
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 3, 2, 5, 5]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x3x2x5x5xf32>) outs(%{{.*}} : tensor<1x2x3x5x5xf32>) permutation = [0, 2, 1, 3, 4]
// CHECK: tensor.collapse_shape
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0, 0] [1, 3, 5, 5] [1, 1, 1, 1]
func.func @channels(%a: tensor<1x4x5x5xf32>, %b: tensor<1x2x5x5xf32>) -> tensor<1x3x5x5xf32> {
  %0 = cnn.concat %a, %b : tensor<1x4x5x5xf32>, tensor<1x2x5x5xf32> -> tensor<1x6x5x5xf32>
  %1 = cnn.channel_shuffle %0 groups 3 : tensor<1x6x5x5xf32>
  %2 = cnn.slice %1 offset 1 size 3 : tensor<1x6x5x5xf32> -> tensor<1x3x5x5xf32>
  return %2 : tensor<1x3x5x5xf32>
}

// -----

// Broadcasting reads the size-1 dimensions at index 0.
// CHECK-DAG: #[[SCALE:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-LABEL: func @squeeze_excite_scale
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALE]], #{{.*}}]
// CHECK: arith.mulf
func.func @squeeze_excite_scale(%x: tensor<1x8x4x4xf32>, %s: tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.mul %x, %s : tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32> -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: math.exp
// CHECK: math.tanh
// CHECK: math.sqrt
func.func @activations(%x: tensor<1x4x2x2xf32>, %v: tensor<4xf32>) -> tensor<1x4x2x2xf32> {
  %0 = cnn.relu6 %x : tensor<1x4x2x2xf32>
  %1 = cnn.silu %0 : tensor<1x4x2x2xf32>
  %2 = cnn.tanh %1 : tensor<1x4x2x2xf32>
  %3 = cnn.batch_norm %2 mean %v variance %v scale %v shift %v : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %3 : tensor<1x4x2x2xf32>
}

// -----

// CHECK-LABEL: func @weights
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @weights() -> tensor<2xf32> {
  %0 = cnn.weight "w" = dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

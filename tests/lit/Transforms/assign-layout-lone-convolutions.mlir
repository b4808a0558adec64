// cnn-assign-layout leaves a blocked region in NCHW when its convolutions
// all have fast NCHW kernels (1x1 ones, depthwise ones of a model input)
// with nothing but element-wise ops besides (a lone layer, or a short
// chain of such layers): blocked, it would only add reorders, and the NCHW
// kernels are as fast. Any other region is blocked as before, and
// lone-convolutions-in-nchw=false blocks these too.
// RUN: cnnc-opt %s --split-input-file --cnn-lower-to-linalg --cnn-assign-layout=block=8 --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-lower-to-linalg --cnn-assign-layout="block=8 lone-convolutions-in-nchw=false" --canonicalize | FileCheck %s --check-prefix=ALWAYS

// A 1x1 convolution, its bias, a residual add and a ReLU: one region with
// one pointwise convolution, left in NCHW.
// CHECK-LABEL: func @lone_pointwise
// CHECK-NOT: tensor.pack
// CHECK-NOT: cnnc.blocked_conv
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tensor.unpack
// CHECK: return
// ALWAYS-LABEL: func @lone_pointwise
// ALWAYS: cnnc.blocked_conv
// ALWAYS: tensor.unpack
func.func @lone_pointwise(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x1xf32>
  %b = cnn.weight "b" = dense<0.25> : tensor<16xf32>
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>, tensor<16xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.add %0, %x : tensor<1x16x6x6xf32>, tensor<1x16x6x6xf32> -> tensor<1x16x6x6xf32>
  %2 = cnn.relu %1 : tensor<1x16x6x6xf32>
  return %2 : tensor<1x16x6x6xf32>
}

// -----

// Two pointwise convolutions in one region: both NCHW. Blocked, the first
// reads the NCHW input directly and one unpack follows the second.
// CHECK-LABEL: func @two_pointwise
// CHECK-NOT: tensor.pack
// CHECK-NOT: cnnc.blocked_conv
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tensor.unpack
// CHECK: return
// ALWAYS-LABEL: func @two_pointwise
// ALWAYS-COUNT-2: cnnc.blocked_conv
// ALWAYS: tensor.unpack
func.func @two_pointwise(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x16x6x6xf32>
  %2 = cnn.conv2d %1, %w : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x6x6xf32>
  return %2 : tensor<1x16x6x6xf32>
}

// -----

// A pointwise convolution followed by a pool: the pool has a blocked
// kernel and no fast NCHW one, so the region stays blocked.
// CHECK-LABEL: func @pointwise_then_pool
// CHECK: cnnc.blocked_conv
// CHECK: tensor.unpack
func.func @pointwise_then_pool(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x3x3xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.max_pool2d %0 kernel [2, 2] stride [2, 2] : tensor<1x16x6x6xf32> -> tensor<1x16x3x3xf32>
  return %1 : tensor<1x16x3x3xf32>
}

// -----

// A lone 3x3 convolution, and a strided 1x1 one, are not matrix products
// over the image: blocked.
// CHECK-LABEL: func @lone_3x3
// CHECK: cnnc.blocked_conv
// CHECK-LABEL: func @lone_strided_pointwise
// CHECK: cnnc.blocked_conv
func.func @lone_3x3(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x4x4xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x3x3xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x16x6x6xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}
func.func @lone_strided_pointwise(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x3x3xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x1xf32>
  %0 = cnn.conv2d %x, %w stride [2, 2] : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x3x3xf32>
  return %0 : tensor<1x16x3x3xf32>
}

// -----

// A depthwise convolution of the zero-padded model input with its ReLU:
// left in NCHW (its NCHW kernel reads the input itself).
// CHECK-LABEL: func @lone_depthwise
// CHECK-NOT: tensor.pack
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK-NOT: tensor.unpack
// CHECK: return
// ALWAYS-LABEL: func @lone_depthwise
// ALWAYS: tensor.pack
// ALWAYS: cnnc.blocked_conv<depthwise
// ALWAYS: tensor.unpack
func.func @lone_depthwise(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x1x3x3xf32>
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] groups 16 : (tensor<1x16x6x6xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x16x6x6xf32>
  return %1 : tensor<1x16x6x6xf32>
}

// -----

// A depthwise convolution of the zero-padded model input, a ReLU and a 1x1
// convolution (a depthwise-separable layer): NCHW.
// CHECK-LABEL: func @depthwise_then_pointwise
// CHECK-NOT: tensor.pack
// CHECK-NOT: cnnc.blocked_conv
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: tensor.unpack
// CHECK: return
// ALWAYS-LABEL: func @depthwise_then_pointwise
// ALWAYS: cnnc.blocked_conv<depthwise
// ALWAYS: cnnc.blocked_conv
// ALWAYS: tensor.unpack
func.func @depthwise_then_pointwise(%x: tensor<1x16x6x6xf32>) -> tensor<1x32x6x6xf32> {
  %d = cnn.weight "d" = dense<0.5> : tensor<16x1x3x3xf32>
  %w = cnn.weight "w" = dense<0.5> : tensor<32x16x1x1xf32>
  %0 = cnn.conv2d %x, %d pad [1, 1, 1, 1] groups 16 : (tensor<1x16x6x6xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x16x6x6xf32>
  %2 = cnn.conv2d %1, %w : (tensor<1x16x6x6xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x6x6xf32>
  return %2 : tensor<1x32x6x6xf32>
}

// -----

// A depthwise convolution of a computed NCHW value (not a model input,
// whose buffer the kernel could read in place of a padded copy): blocked.
// CHECK-LABEL: func @depthwise_of_computed
// CHECK: cnnc.blocked_conv<depthwise
func.func @depthwise_of_computed(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x1x3x3xf32>
  %0 = cnn.sigmoid %x : tensor<1x16x6x6xf32>
  %1 = cnn.conv2d %0, %w pad [1, 1, 1, 1] groups 16 : (tensor<1x16x6x6xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %1 : tensor<1x16x6x6xf32>
}

// -----

// A pointwise convolution whose result a grouped one reads (through the
// grouped form's 5-D view, not a feature map): one region with two
// convolutions, blocked, with no reorder between them.
// CHECK-LABEL: func @pointwise_then_grouped
// CHECK-NOT: tensor.pack
// CHECK: cnnc.blocked_conv<plain_input
// CHECK-NOT: tensor.pack
// CHECK: cnnc.blocked_conv<lane_groups
func.func @pointwise_then_grouped(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<16x16x1x1xf32>
  %g = cnn.weight "g" = dense<0.5> : tensor<16x4x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x16x6x6xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x16x6x6xf32>
  %2 = cnn.conv2d %1, %g groups 4 : (tensor<1x16x6x6xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x6x6xf32>
  return %2 : tensor<1x16x6x6xf32>
}

// cnn-assign-layout on regions that move values around: a depthwise ->
// pointwise chain that cnn-fuse-depthwise-pointwise split into bands of
// rows (a loop, slices of the input, inserts into the output) stays NCHW
// when its depthwise reads the model input, whose bands the NCHW kernels
// read as they are, and so do 1x1 layers concatenated; with
// lone-convolutions-in-nchw=false, or a depthwise of a computed value, the
// region is blocked.
// RUN: cnnc-opt %s --split-input-file --cnn-fuse-depthwise-pointwise --cnn-lower-to-linalg --cnn-assign-layout=block=8 --canonicalize | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-fuse-depthwise-pointwise --cnn-lower-to-linalg --cnn-assign-layout="block=8 lone-convolutions-in-nchw=false" --canonicalize | FileCheck %s --check-prefix=ALWAYS

// CHECK-LABEL: func @separable_of_input
// CHECK-NOT: tensor.pack
// CHECK-NOT: cnnc.blocked_conv
// CHECK: scf.for
// CHECK: tensor.extract_slice %arg0
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: tensor.insert_slice
// CHECK-NOT: tensor.unpack
// CHECK-NOT: cnnc.blocked_conv
// CHECK: return
// ALWAYS-LABEL: func @separable_of_input
// ALWAYS: scf.for
// ALWAYS: tensor.pack
// ALWAYS: cnnc.blocked_conv<depthwise
// ALWAYS: cnnc.blocked_conv
// ALWAYS: tensor.unpack
func.func @separable_of_input(%x: tensor<1x32x112x112xf32>) -> tensor<1x64x112x112xf32> {
  %d = cnn.weight "d" = dense<0.5> : tensor<32x1x3x3xf32>
  %w = cnn.weight "w" = dense<0.5> : tensor<64x32x1x1xf32>
  %0 = cnn.conv2d %x, %d pad [1, 1, 1, 1] groups 32 : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  %1 = cnn.relu %0 : tensor<1x32x112x112xf32>
  %2 = cnn.conv2d %1, %w : (tensor<1x32x112x112xf32>, tensor<64x32x1x1xf32>) -> tensor<1x64x112x112xf32>
  return %2 : tensor<1x64x112x112xf32>
}

// -----

// CHECK-LABEL: func @separable_of_computed
// CHECK: tensor.pack
// CHECK: cnnc.blocked_conv<depthwise
// CHECK: scf.for
// CHECK: tensor.pack
// CHECK: cnnc.blocked_conv<depthwise
// CHECK: tensor.unpack
func.func @separable_of_computed(%x: tensor<1x32x112x112xf32>) -> tensor<1x64x112x112xf32> {
  %d = cnn.weight "d" = dense<0.5> : tensor<32x1x3x3xf32>
  %w = cnn.weight "w" = dense<0.5> : tensor<64x32x1x1xf32>
  %s = cnn.sigmoid %x : tensor<1x32x112x112xf32>
  %0 = cnn.conv2d %s, %d pad [1, 1, 1, 1] groups 32 : (tensor<1x32x112x112xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x112x112xf32>
  %1 = cnn.relu %0 : tensor<1x32x112x112xf32>
  %2 = cnn.conv2d %1, %w : (tensor<1x32x112x112xf32>, tensor<64x32x1x1xf32>) -> tensor<1x64x112x112xf32>
  return %2 : tensor<1x64x112x112xf32>
}

// -----

// Two 1x1 convolutions, their concatenation and a slice of the second:
// NCHW, no reorder.
// CHECK-LABEL: func @pointwise_concat
// CHECK-NOT: tensor.pack
// CHECK-NOT: cnnc.blocked_conv
// CHECK-COUNT-2: linalg.conv_2d_nchw_fchw
// CHECK: tensor.insert_slice
// CHECK-NOT: tensor.unpack
// CHECK: return
// ALWAYS-LABEL: func @pointwise_concat
// ALWAYS-COUNT-2: cnnc.blocked_conv
// ALWAYS: tensor.unpack
func.func @pointwise_concat(%x: tensor<1x8x4x4xf32>) -> (tensor<1x16x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = cnn.weight "w" = dense<0.5> : tensor<8x8x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.conv2d %0, %w : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnn.concat %0, %1 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32> -> tensor<1x16x4x4xf32>
  %3 = cnn.slice %1 offset 2 size 4 : tensor<1x8x4x4xf32> -> tensor<1x4x4x4xf32>
  return %2, %3 : tensor<1x16x4x4xf32>, tensor<1x4x4x4xf32>
}

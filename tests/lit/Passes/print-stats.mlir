// cnn-print-stats classifies convolutions and counts MACs; the IR is unchanged.
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(cnn-print-stats)' 2>&1 >/dev/null | FileCheck %s
// RUN: cnnc-opt %s --cnn-print-stats 2>/dev/null | FileCheck %s --check-prefix=IR

// CHECK-LABEL: cnn stats for @block:
// CHECK-NEXT:   cnn.conv2d: 5
// CHECK-NEXT:   cnn.relu: 1
// CHECK-NEXT:   cnn.global_avg_pool: 1
// CHECK-NEXT:   cnn.flatten: 1
// CHECK-NEXT:   cnn.dense: 1
// CHECK-NEXT:   conv2d pointwise: 1
// CHECK-NEXT:   conv2d depthwise: 1
// CHECK-NEXT:   conv2d grouped: 1
// CHECK-NEXT:   conv2d standard: 2
// CHECK-NEXT:   conv2d dilated: 1
// 8*8 * (16*32*1*1 + 32*1*3*3 + 32*4*3*3 + 32*32*3*3 + 32*32*3*3) + 32*10
//   = 64 * (512 + 288 + 1152 + 9216 + 9216) + 320 = 1304896
// CHECK-NEXT:   MACs (convolutions, dense): 1304896
// IR: func.func @block
// IR-COUNT-5: cnn.conv2d
func.func @block(%x: tensor<1x16x8x8xf32>, %pw: tensor<32x16x1x1xf32>, %dw: tensor<32x1x3x3xf32>,
                 %gw: tensor<32x4x3x3xf32>, %w: tensor<32x32x3x3xf32>, %fc: tensor<10x32xf32>) -> tensor<1x10xf32> {
  %0 = cnn.conv2d %x, %pw : (tensor<1x16x8x8xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x32x8x8xf32>
  %2 = cnn.conv2d %1, %dw pad [1, 1, 1, 1] groups 32 : (tensor<1x32x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x8x8xf32>
  %3 = cnn.conv2d %2, %gw pad [1, 1, 1, 1] groups 8 : (tensor<1x32x8x8xf32>, tensor<32x4x3x3xf32>) -> tensor<1x32x8x8xf32>
  %4 = cnn.conv2d %3, %w pad [2, 2, 2, 2] dilation [2, 2] : (tensor<1x32x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x8x8xf32>
  %5 = cnn.conv2d %4, %w pad [1, 1, 1, 1] : (tensor<1x32x8x8xf32>, tensor<32x32x3x3xf32>) -> tensor<1x32x8x8xf32>
  %6 = cnn.global_avg_pool %5 : tensor<1x32x8x8xf32> -> tensor<1x32x1x1xf32>
  %7 = cnn.flatten %6 : tensor<1x32x1x1xf32> -> tensor<1x32xf32>
  %8 = cnn.dense %7, %fc : (tensor<1x32xf32>, tensor<10x32xf32>) -> tensor<1x10xf32>
  return %8 : tensor<1x10xf32>
}

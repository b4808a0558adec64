// Candidate chains that cnnc's fusion passes match and leave unfused, one
// function per reason; the input of report-fusion.test.

// ResNet's bottleneck: its 3x3 has one group, which the default pipeline
// leaves out (cost_rule); the convolutions then take their epilogues.
func.func @resnet_bottleneck(%x: tensor<1x16x8x8xf32>, %w1: tensor<4x16x1x1xf32>, %w2: tensor<4x4x3x3xf32>, %w3: tensor<16x4x1x1xf32>) -> tensor<1x16x8x8xf32> {
  %0 = cnn.conv2d %x, %w1 : (tensor<1x16x8x8xf32>, tensor<4x16x1x1xf32>) -> tensor<1x4x8x8xf32>
  %1 = cnn.relu %0 : tensor<1x4x8x8xf32>
  %2 = cnn.conv2d %1, %w2 pad [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %3 = cnn.relu %2 : tensor<1x4x8x8xf32>
  %4 = cnn.conv2d %3, %w3 : (tensor<1x4x8x8xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x8x8xf32>
  %5 = cnn.add %4, %x : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %5 : tensor<1x16x8x8xf32>
}

// ResNeXt's grouped 3x3 (shape); the depthwise map read twice (multi_use);
// a depthwise convolution with channel multiplier 2 (shape).
func.func @shapes_and_uses(%x: tensor<1x8x8x8xf32>, %e: tensor<8x8x1x1xf32>, %g: tensor<8x2x3x3xf32>, %p: tensor<8x8x1x1xf32>, %d: tensor<8x1x3x3xf32>, %m: tensor<16x1x3x3xf32>, %q: tensor<8x16x1x1xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %0 = cnn.conv2d %x, %e : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = cnn.conv2d %0, %g pad [1, 1, 1, 1] groups 4 : (tensor<1x8x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = cnn.conv2d %1, %p : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %3 = cnn.conv2d %x, %d pad [1, 1, 1, 1] groups 8 : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  %4 = cnn.relu6 %3 : tensor<1x8x8x8xf32>
  %5 = cnn.conv2d %4, %p : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
  %6 = cnn.conv2d %x, %m pad [1, 1, 1, 1] groups 8 : (tensor<1x8x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x8x8xf32>
  %7 = cnn.conv2d %6, %q : (tensor<1x16x8x8xf32>, tensor<8x16x1x1xf32>) -> tensor<1x8x8x8xf32>
  return %2, %5, %4, %7 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// MobileNetV3's inverted residual: squeeze-and-excitation takes the
// depthwise convolution first, so the bottleneck and the depthwise ->
// pointwise fusion find it taken.
func.func @taken(%x: tensor<1x4x6x6xf32>, %e: tensor<8x4x1x1xf32>, %d: tensor<8x1x3x3xf32>, %w1: tensor<2x8x1x1xf32>, %w2: tensor<8x2x1x1xf32>, %p: tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %0 = cnn.conv2d %x, %e : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  %1 = cnn.hard_swish %0 : tensor<1x8x6x6xf32>
  %2 = cnn.conv2d %1, %d pad [1, 1, 1, 1] groups 8 : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
  %3 = cnn.hard_swish %2 : tensor<1x8x6x6xf32>
  %4 = cnn.global_avg_pool %3 : tensor<1x8x6x6xf32> -> tensor<1x8x1x1xf32>
  %5 = cnn.conv2d %4, %w1 : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %6 = cnn.relu %5 : tensor<1x2x1x1xf32>
  %7 = cnn.conv2d %6, %w2 : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %8 = cnn.hard_sigmoid %7 : tensor<1x8x1x1xf32>
  %9 = cnn.mul %8, %3 : tensor<1x8x1x1xf32>, tensor<1x8x6x6xf32> -> tensor<1x8x6x6xf32>
  %10 = cnn.conv2d %9, %p : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %10 : tensor<1x4x6x6xf32>
}

// Squeeze-and-excitation whose gate is also a result (multi_use), and a
// convolution whose result an add broadcasts (shape).
func.func @gate_and_broadcast(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>, %b: tensor<1x4x5x5xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>) {
  %0 = cnn.conv2d %x, %w : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %1 = cnn.global_avg_pool %0 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %2 = cnn.sigmoid %1 : tensor<1x4x1x1xf32>
  %3 = cnn.mul %0, %2 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
  %4 = cnn.global_avg_pool %x : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %5 = cnn.conv2d %4, %w : (tensor<1x4x1x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %6 = cnn.add %5, %b : tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
  return %3, %2, %6 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>
}

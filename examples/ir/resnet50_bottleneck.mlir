// A ResNet-50 bottleneck (conv2_x, 56x56, 256 -> 64 -> 64 -> 256 channels) in
// the cnn dialect, as the frontend will emit it: 1x1 reduce, 3x3, 1x1 expand,
// each followed by batch norm, and a residual add before the last ReLU.
// Try: cnnc-opt examples/ir/resnet50_bottleneck.mlir --cnn-print-stats
func.func @bottleneck(%x: tensor<1x256x56x56xf32>,
                      %w1: tensor<64x256x1x1xf32>, %w2: tensor<64x64x3x3xf32>,
                      %w3: tensor<256x64x1x1xf32>,
                      %m64: tensor<64xf32>, %v64: tensor<64xf32>,
                      %g64: tensor<64xf32>, %b64: tensor<64xf32>,
                      %m256: tensor<256xf32>, %v256: tensor<256xf32>,
                      %g256: tensor<256xf32>, %b256: tensor<256xf32>)
    -> tensor<1x256x56x56xf32> {
  %0 = cnn.conv2d %x, %w1 : (tensor<1x256x56x56xf32>, tensor<64x256x1x1xf32>) -> tensor<1x64x56x56xf32>
  %1 = cnn.batch_norm %0 mean %m64 variance %v64 scale %g64 shift %b64
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %2 = cnn.relu %1 : tensor<1x64x56x56xf32>
  %3 = cnn.conv2d %2, %w2 pad [1, 1, 1, 1] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %4 = cnn.batch_norm %3 mean %m64 variance %v64 scale %g64 shift %b64
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %5 = cnn.relu %4 : tensor<1x64x56x56xf32>
  %6 = cnn.conv2d %5, %w3 : (tensor<1x64x56x56xf32>, tensor<256x64x1x1xf32>) -> tensor<1x256x56x56xf32>
  %7 = cnn.batch_norm %6 mean %m256 variance %v256 scale %g256 shift %b256
      : (tensor<1x256x56x56xf32>, tensor<256xf32>, tensor<256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<1x256x56x56xf32>
  %8 = cnn.add %7, %x : tensor<1x256x56x56xf32>, tensor<1x256x56x56xf32> -> tensor<1x256x56x56xf32>
  %9 = cnn.relu %8 : tensor<1x256x56x56xf32>
  return %9 : tensor<1x256x56x56xf32>
}

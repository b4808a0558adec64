// A ShuffleNet v2 basic unit (116 channels, 28x28): channel split, a
// pointwise -> depthwise -> pointwise branch, concat, channel shuffle. Batch
// norms are left out to keep the example short.
// Try: cnnc-opt examples/ir/shufflenet_v2_unit.mlir --cnn-print-stats
func.func @shufflenet_unit(%x: tensor<1x116x28x28xf32>,
                           %pw1: tensor<58x58x1x1xf32>, %dw: tensor<58x1x3x3xf32>,
                           %pw2: tensor<58x58x1x1xf32>) -> tensor<1x116x28x28xf32> {
  %left = cnn.slice %x offset 0 size 58 : tensor<1x116x28x28xf32> -> tensor<1x58x28x28xf32>
  %right = cnn.slice %x offset 58 size 58 : tensor<1x116x28x28xf32> -> tensor<1x58x28x28xf32>
  %0 = cnn.conv2d %right, %pw1 : (tensor<1x58x28x28xf32>, tensor<58x58x1x1xf32>) -> tensor<1x58x28x28xf32>
  %1 = cnn.relu %0 : tensor<1x58x28x28xf32>
  %2 = cnn.conv2d %1, %dw pad [1, 1, 1, 1] groups 58 : (tensor<1x58x28x28xf32>, tensor<58x1x3x3xf32>) -> tensor<1x58x28x28xf32>
  %3 = cnn.conv2d %2, %pw2 : (tensor<1x58x28x28xf32>, tensor<58x58x1x1xf32>) -> tensor<1x58x28x28xf32>
  %4 = cnn.relu %3 : tensor<1x58x28x28xf32>
  %5 = cnn.concat %left, %4 : tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32> -> tensor<1x116x28x28xf32>
  %6 = cnn.channel_shuffle %5 groups 2 : tensor<1x116x28x28xf32>
  return %6 : tensor<1x116x28x28xf32>
}

// A cnn.fused op that its kind's lowering cannot take (written by hand or by
// a plugin) is an error at the op, not a crash.
// RUN: cnnc-opt %s --cnn-lower-to-linalg --split-input-file -verify-diagnostics

func.func @epilogue_without_conv(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @below {{'cnn.fused' op of kind conv_epilogue must start with a cnn.conv2d}}
  %0 = cnn.fused "conv_epilogue"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>):
    %1 = cnn.relu %a : tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @bottleneck_with_two_convs(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @below {{'cnn.fused' op of kind bottleneck must start with a cnn.conv2d and hold 3 of them}}
  %0 = cnn.fused "bottleneck"(%x, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.conv2d %1, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    cnn.yield %2 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// Padding of 3 rows around a 1x1 kernel: the first tile of one row reads
// nothing but padding (cnn-fuse-depthwise-pointwise never builds this).
func.func @tile_all_padding(%x: tensor<1x2x4x4xf32>, %d: tensor<2x1x1x1xf32>, %p: tensor<2x2x1x1xf32>) -> tensor<1x2x10x4xf32> {
  // expected-error @below {{'cnn.fused' op has a tile whose rows are all padding}}
  %0 = cnn.fused "depthwise_pointwise"(%x, %d, %p) {tile_rows = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x10x4xf32> {
  ^bb0(%a: tensor<1x2x4x4xf32>, %b: tensor<2x1x1x1xf32>, %c: tensor<2x2x1x1xf32>):
    %1 = cnn.conv2d %a, %b pad [3, 0, 3, 0] groups 2 : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x10x4xf32>
    %2 = cnn.conv2d %1, %c : (tensor<1x2x10x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x10x4xf32>
    cnn.yield %2 : tensor<1x2x10x4xf32>
  }
  return %0 : tensor<1x2x10x4xf32>
}

// -----

func.func @squeeze_excite_without_pool(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @below {{'cnn.fused' op of kind squeeze_excite must start with a cnn.conv2d and hold a cnn.global_avg_pool}}
  %0 = cnn.fused "squeeze_excite"(%x, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.mul %1, %1 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
    cnn.yield %2 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @squeeze_excite_pooling_the_input(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @below {{'cnn.fused' op of kind squeeze_excite must pool the result of the ops before the pool}}
  %0 = cnn.fused "squeeze_excite"(%x, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.global_avg_pool %a : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
    %3 = cnn.mul %1, %2 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
    cnn.yield %3 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @squeeze_excite_reading_inside_the_producer(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @below {{'cnn.fused' op of kind squeeze_excite may read only the pooled map of the ops before the pool}}
  %0 = cnn.fused "squeeze_excite"(%x, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.relu %1 : tensor<1x4x5x5xf32>
    %3 = cnn.global_avg_pool %2 : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
    %4 = cnn.mul %2, %3 : tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32> -> tensor<1x4x5x5xf32>
    %5 = cnn.add %4, %1 : tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32> -> tensor<1x4x5x5xf32>
    cnn.yield %5 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

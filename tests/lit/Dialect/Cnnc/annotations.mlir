// The cnnc dialect's annotations are typed: once a pass has loaded the
// dialect (here cnn-fuse-elementwise, which reads cnnc.epilogue), an
// annotation of the wrong type, or one the dialect does not declare, is an
// error.
// RUN: cnnc-opt %s --split-input-file --cnn-fuse-elementwise -verify-diagnostics

func.func @epilogue_with_a_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'cnnc.epilogue' expects a unit attribute, got 1 : i64}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%x : tensor<4xf32>) attrs = {cnnc.epilogue = 1 : i64} {
  ^bb0(%a: f32):
    linalg.yield %a : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @below {{'cnnc.arena_bytes' expects an integer attribute, got "many"}}
module attributes {cnnc.arena_bytes = "many"} {
}

// -----

// expected-error @below {{'cnnc.no_such_mark' is not a cnnc attribute}}
func.func @unknown() attributes {cnnc.no_such_mark} {
  return
}

// -----

// expected-error @below {{'cnnc.epilogue' is not a cnnc argument attribute}}
func.func @argument(%arg0: memref<4xi8> {cnnc.epilogue}) {
  return
}

// -----

// in_channels (the input channels when they leave the last input block
// part empty) belongs to the dense form of one group only.
// expected-error @below {{expects in_channels only on the dense form without groups, and positive}}
module attributes {test.conv = #cnnc.blocked_conv<depthwise, strides = [1, 1], dilations = [1, 1], in_channels = 8>} {
}

// -----

// expected-error @below {{expects in_channels only on the dense form without groups, and positive}}
module attributes {test.conv = #cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1], group_in_blocks = 2, group_out_blocks = 2, group_in_channels = 20, lanes = 16, in_channels = 40>} {
}

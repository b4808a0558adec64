// Each rule of cnn.channel_shuffle, cnn.concat and cnn.slice, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @shuffle_zero_groups(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op expects 'groups' to be positive, got 0}}
  %0 = cnn.channel_shuffle %x groups 0 : tensor<1x6x4x4xf32>
  return
}

// -----

func.func @shuffle_groups_do_not_divide(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op channels (6) must be divisible by groups (4)}}
  %0 = cnn.channel_shuffle %x groups 4 : tensor<1x6x4x4xf32>
  return
}

// -----

func.func @shuffle_without_channels(%x: tensor<6xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op expects 'input' to have a channel dimension (rank >= 2), got 'tensor<6xf32>'}}
  %0 = cnn.channel_shuffle %x groups 2 : tensor<6xf32>
  return
}

// -----

func.func @shuffle_generic_rank(%x: tensor<6xf32>) {
  // expected-error @below {{operand #0 must be statically shaped tensor of rank >= 2 of floating-point values, but got 'tensor<6xf32>'}}
  %0 = "cnn.channel_shuffle"(%x) <{groups = 2 : i64}> : (tensor<6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @shuffle_wrong_result(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op inferred type(s) 'tensor<1x6x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x6x4x4xf16>'}}
  // expected-error @below {{'cnn.channel_shuffle' op failed to infer returned types}}
  %0 = "cnn.channel_shuffle"(%x) <{groups = 2 : i64}> : (tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf16>
  return
}

// -----

func.func @concat_nothing() {
  // expected-error @below {{'cnn.concat' op expects at least one input}}
  %0 = "cnn.concat"() : () -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @concat_spatial_mismatch(%a: tensor<1x6x4x4xf32>, %b: tensor<1x2x4x5xf32>) {
  // expected-error @below {{'cnn.concat' op expects all inputs to match outside the channel dimension, but inputs[0] is 'tensor<1x6x4x4xf32>' and inputs[1] is 'tensor<1x2x4x5xf32>' (dimension 3)}}
  %0 = cnn.concat %a, %b : tensor<1x6x4x4xf32>, tensor<1x2x4x5xf32> -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @concat_batch_mismatch(%a: tensor<1x6x4x4xf32>, %b: tensor<2x6x4x4xf32>) {
  // expected-error @below {{'cnn.concat' op expects all inputs to match outside the channel dimension, but inputs[0] is 'tensor<1x6x4x4xf32>' and inputs[1] is 'tensor<2x6x4x4xf32>' (dimension 0)}}
  %0 = cnn.concat %a, %b : tensor<1x6x4x4xf32>, tensor<2x6x4x4xf32> -> tensor<1x12x4x4xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<1x6x4x4xf32>, %b: tensor<1x6x16xf32>) {
  // expected-error @below {{'cnn.concat' op expects all inputs to have rank 4, but inputs[1] is 'tensor<1x6x16xf32>'}}
  %0 = cnn.concat %a, %b : tensor<1x6x4x4xf32>, tensor<1x6x16xf32> -> tensor<1x12x4x4xf32>
  return
}

// -----

func.func @concat_element_type_mismatch(%a: tensor<1x6x4x4xf32>, %b: tensor<1x6x4x4xf16>) {
  // expected-error @below {{'cnn.concat' op expects 'inputs[1]' to have the element type of 'inputs[0]' ('f32'), got 'f16'}}
  %0 = cnn.concat %a, %b : tensor<1x6x4x4xf32>, tensor<1x6x4x4xf16> -> tensor<1x12x4x4xf32>
  return
}

// -----

func.func @concat_wrong_result(%a: tensor<1x6x4x4xf32>, %b: tensor<1x2x4x4xf32>) {
  // expected-error @below {{'cnn.concat' op inferred type(s) 'tensor<1x8x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x12x4x4xf32>'}}
  // expected-error @below {{'cnn.concat' op failed to infer returned types}}
  %0 = cnn.concat %a, %b : tensor<1x6x4x4xf32>, tensor<1x2x4x4xf32> -> tensor<1x12x4x4xf32>
  return
}

// -----

func.func @slice_negative_offset(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op expects 'offset' to be non-negative, got -1}}
  %0 = cnn.slice %x offset -1 size 2 : tensor<1x6x4x4xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @slice_empty(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op expects 'size' to be positive, got 0}}
  %0 = cnn.slice %x offset 1 size 0 : tensor<1x6x4x4xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @slice_out_of_range(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op channel range [4, 4 + 3) is out of bounds for 6 channels}}
  %0 = cnn.slice %x offset 4 size 3 : tensor<1x6x4x4xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @slice_offset_past_end(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op channel range [9223372036854775807, 9223372036854775807 + 1) is out of bounds for 6 channels}}
  %0 = cnn.slice %x offset 9223372036854775807 size 1 : tensor<1x6x4x4xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @slice_wrong_result(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op inferred type(s) 'tensor<1x2x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x3x4x4xf32>'}}
  // expected-error @below {{'cnn.slice' op failed to infer returned types}}
  %0 = cnn.slice %x offset 1 size 2 : tensor<1x6x4x4xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @concat_channel_overflow(%a: tensor<1x9223372036854775807xf32>, %b: tensor<1x2xf32>) {
  // expected-error @below {{'cnn.concat' op concatenated channel count overflows}}
  %0 = "cnn.concat"(%a, %b) : (tensor<1x9223372036854775807xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @shuffle_negative_groups(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op expects 'groups' to be positive, got -2}}
  %0 = cnn.channel_shuffle %x groups -2 : tensor<1x6x4x4xf32>
  return
}

// -----

func.func @slice_negative_size(%x: tensor<1x6x4x4xf32>) {
  // expected-error @below {{'cnn.slice' op expects 'size' to be positive, got -2}}
  %0 = cnn.slice %x offset 1 size -2 : tensor<1x6x4x4xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @interleave_unequal_channels(%a: tensor<1x4x2x2xf32>, %b: tensor<1x3x2x2xf32>) {
  // expected-error @below {{'cnn.concat' op expects inputs with equal channel counts to interleave, but inputs[0] is 'tensor<1x4x2x2xf32>' and inputs[1] is 'tensor<1x3x2x2xf32>'}}
  %0 = cnn.concat %a, %b interleave : tensor<1x4x2x2xf32>, tensor<1x3x2x2xf32> -> tensor<1x7x2x2xf32>
  return
}

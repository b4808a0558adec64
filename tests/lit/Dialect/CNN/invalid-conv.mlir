// Each rule of cnn.conv2d and cnn.deform_conv2d, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @dynamic_input(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{operand #0 must be statically shaped 4-D tensor of floating-point values, but got 'tensor<1x3x?x8xf32>'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{operand #0 must be statically shaped 4-D tensor of floating-point values, but got 'tensor<3x8x8xf32>'}}
  %0 = cnn.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @integer_elements(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>) {
  // expected-error @below {{operand #0 must be statically shaped 4-D tensor of floating-point values, but got 'tensor<1x3x8x8xi8>'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8>) -> tensor<1x4x6x6xi8>
  return
}

// -----

func.func @empty_dimension(%x: tensor<1x0x8x8xf32>, %w: tensor<4x0x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'input' to have no empty dimension, got 'tensor<1x0x8x8xf32>'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x0x8x8xf32>, tensor<4x0x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @filter_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @below {{'cnn.conv2d' op expects 'filter' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @stride_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'strides' to be two positive integers (height, width), got [2]}}
  %0 = cnn.conv2d %x, %w stride [2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'strides' to be two positive integers (height, width), got [1, 0]}}
  %0 = cnn.conv2d %x, %w stride [1, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @negative_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'strides' to be two positive integers (height, width), got [-1, 1]}}
  %0 = cnn.conv2d %x, %w stride [-1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @negative_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'padding' to be four non-negative integers (top, left, bottom, right), got [1, -1, 1, 1]}}
  %0 = cnn.conv2d %x, %w pad [1, -1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @padding_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'padding' to be four non-negative integers (top, left, bottom, right), got [1, 1]}}
  %0 = cnn.conv2d %x, %w pad [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'dilations' to be two positive integers (height, width), got [0, 1]}}
  %0 = cnn.conv2d %x, %w dilation [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @zero_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'groups' to be positive, got 0}}
  %0 = cnn.conv2d %x, %w groups 0 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @negative_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'groups' to be positive, got -3}}
  %0 = cnn.conv2d %x, %w groups -3 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @groups_do_not_divide_input_channels(%x: tensor<1x64x8x8xf32>, %w: tensor<64x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op input channels (64) must be divisible by groups (5)}}
  %0 = cnn.conv2d %x, %w groups 5 : (tensor<1x64x8x8xf32>, tensor<64x3x3x3xf32>) -> tensor<1x64x6x6xf32>
  return
}

// -----

func.func @groups_do_not_divide_output_channels(%x: tensor<1x64x8x8xf32>, %w: tensor<30x2x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op output channels (30, filter dimension 0) must be divisible by groups (32)}}
  %0 = cnn.conv2d %x, %w groups 32 : (tensor<1x64x8x8xf32>, tensor<30x2x3x3xf32>) -> tensor<1x30x6x6xf32>
  return
}

// -----

func.func @filter_inconsistent_with_groups(%x: tensor<1x64x8x8xf32>, %w: tensor<64x64x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op filter must have input channels / groups = 64 / 64 = 1 channels in dimension 1, got 64}}
  %0 = cnn.conv2d %x, %w groups 64 : (tensor<1x64x8x8xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x6x6xf32>
  return
}

// -----

func.func @bias_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'bias' to have 4 elements (one per output channel), got 3}}
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf64>) {
  // expected-error @below {{'cnn.conv2d' op expects 'bias' to have the element type of 'input' ('f32'), got 'f64'}}
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf64>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4xf32>) {
  // expected-error @below {{operand #2 must be statically shaped 1-D tensor of floating-point values, but got 'tensor<1x4xf32>'}}
  %0 = cnn.conv2d %x, %w bias %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @kernel_larger_than_padded_input(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x5x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op dilated kernel (5x3) is larger than the padded input (4x8): the output would be empty}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x4x8xf32>, tensor<4x3x5x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

func.func @dilated_kernel_larger_than_padded_input(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op dilated kernel (9x9) is larger than the padded input (8x10): the output would be empty}}
  %0 = cnn.conv2d %x, %w pad [0, 1, 0, 1] dilation [4, 4] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @wrong_result_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op inferred type(s) 'tensor<1x4x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x4x6x6xf32>'}}
  // expected-error @below {{'cnn.conv2d' op failed to infer returned types}}
  %0 = cnn.conv2d %x, %w stride [2, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @wrong_result_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{'cnn.conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x6x6xf16>'}}
  // expected-error @below {{'cnn.conv2d' op failed to infer returned types}}
  %0 = cnn.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf16>
  return
}

// -----

func.func @deform_offset_groups(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'offset_groups' to be positive, got 0}}
  %0 = cnn.deform_conv2d %x, %off, %w offset_groups 0 : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_offset_groups_do_not_divide_channels(%x: tensor<1x6x8x8xf32>, %off: tensor<1x72x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op input channels (6) must be divisible by offset_groups (4)}}
  %0 = cnn.deform_conv2d %x, %off, %w offset_groups 4 : (tensor<1x6x8x8xf32>, tensor<1x72x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_offset_shape(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'offset' of shape [1, 36, 6, 6] ([N, 2 * offset_groups * KH * KW, Ho, Wo]), got [1, 18, 6, 6]}}
  %0 = cnn.deform_conv2d %x, %off, %w offset_groups 2 : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_offset_spatial_size(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x8x8xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'offset' of shape [1, 18, 6, 6] ([N, 2 * offset_groups * KH * KW, Ho, Wo]), got [1, 18, 8, 8]}}
  %0 = cnn.deform_conv2d %x, %off, %w : (tensor<1x6x8x8xf32>, tensor<1x18x8x8xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_mask_shape(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>, %m: tensor<1x18x6x6xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'mask' of shape [1, 9, 6, 6] ([N, offset_groups * KH * KW, Ho, Wo]), got [1, 18, 6, 6]}}
  %0 = cnn.deform_conv2d %x, %off, %w mask %m : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>, tensor<1x18x6x6xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_mask_element_type(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>, %m: tensor<1x9x6x6xf16>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'mask' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.deform_conv2d %x, %off, %w mask %m : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>, tensor<1x9x6x6xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_weight_groups(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op filter must have input channels / groups = 6 / 2 = 3 channels in dimension 1, got 6}}
  %0 = cnn.deform_conv2d %x, %off, %w groups 2 : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_wrong_result(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x6x6x6xf32>'}}
  // expected-error @below {{'cnn.deform_conv2d' op failed to infer returned types}}
  %0 = cnn.deform_conv2d %x, %off, %w : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @output_past_64_bits(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) {
  // expected-error @below {{'cnn.conv2d' op output size does not fit in 64 bits}}
  %0 = cnn.conv2d %x, %w pad [9223372036854775807, 0, 9223372036854775807, 0] : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x3xf32>
  return
}

// -----

func.func @too_many_elements(%x: tensor<1x1x4294967297x4294967297xf32>, %w: tensor<1x1x1x1xf32>) {
  // expected-error @below {{'cnn.conv2d' op expects 'input' to have fewer elements than fit in 64 bits, got 'tensor<1x1x4294967297x4294967297xf32>'}}
  %0 = cnn.conv2d %x, %w : (tensor<1x1x4294967297x4294967297xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4294967297x4294967297xf32>
  return
}

// -----

func.func @padded_input_past_64_bits_in_message(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x5x1xf32>) {
  // expected-error @below {{'cnn.conv2d' op dilated kernel (9223372036854775807x1) is larger than the padded input (18446744073709551617x3): the output would be empty}}
  %0 = cnn.conv2d %x, %w pad [9223372036854775807, 0, 9223372036854775807, 0] dilation [9223372036854775807, 1] : (tensor<1x1x3x3xf32>, tensor<1x1x5x1xf32>) -> tensor<1x1x1x3xf32>
  return
}

// -----

func.func @deform_offset_element_type(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf16>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'offset' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.deform_conv2d %x, %off, %w : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf16>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @deform_negative_offset_groups(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>, %w: tensor<4x6x3x3xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects 'offset_groups' to be positive, got -2}}
  %0 = cnn.deform_conv2d %x, %off, %w offset_groups -2 : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// Generic form: a required operand's segment must hold exactly one operand.
func.func @deform_missing_filter(%x: tensor<1x6x8x8xf32>, %off: tensor<1x18x6x6xf32>) {
  // expected-error @below {{'cnn.deform_conv2d' op expects exactly one 'offset' operand, got 2}}
  %0 = "cnn.deform_conv2d"(%x, %off, %off) <{operandSegmentSizes = array<i32: 1, 2, 0, 0, 0>}> : (tensor<1x6x8x8xf32>, tensor<1x18x6x6xf32>, tensor<1x18x6x6xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @result_past_64_bits(%x: tensor<1x1x2147483648x2147483648xf32>, %w: tensor<4x1x1x1xf32>) {
  // expected-error @below {{'cnn.conv2d' op result 'tensor<1x4x2147483648x2147483648xf32>' would have more elements than fit in 64 bits}}
  %0 = cnn.conv2d %x, %w : (tensor<1x1x2147483648x2147483648xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2147483648x2147483648xf32>
  return
}

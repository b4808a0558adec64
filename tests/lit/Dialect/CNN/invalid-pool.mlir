// Each rule of the pooling ops, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @kernel_count(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op expects 'kernel_size' to be two positive integers (height, width), got [3, 3, 3]}}
  %0 = cnn.max_pool2d %x kernel [3, 3, 3] stride [2, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @zero_kernel(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op expects 'kernel_size' to be two positive integers (height, width), got [0, 3]}}
  %0 = cnn.max_pool2d %x kernel [0, 3] stride [2, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op expects 'strides' to be two positive integers (height, width), got [0, 2]}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [0, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @negative_padding(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op expects 'padding' to be four non-negative integers (top, left, bottom, right), got [0, 0, -1, 0]}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] pad [0, 0, -1, 0] : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @padding_over_half_kernel(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op padding ([2, 1, 1, 1]) must be at most half the kernel size (3x3)}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] pad [2, 1, 1, 1] : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return
}

// -----

// As in PyTorch 1.13, dilation does not widen the limit.
func.func @dilation_does_not_widen_padding_limit(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op padding ([2, 2, 2, 2]) must be at most half the kernel size (3x3)}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [1, 1] pad [2, 2, 2, 2] dilation [2, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x16x16xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op expects 'dilations' to be two positive integers (height, width), got [1, 0]}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] dilation [1, 0] : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @window_larger_than_input(%x: tensor<1x8x2x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op dilated kernel (3x3) is larger than the padded input (2x16): the output would be empty}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [1, 1] : tensor<1x8x2x16xf32> -> tensor<1x8x1x14xf32>
  return
}

// -----

func.func @max_pool_wrong_result(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op inferred type(s) 'tensor<1x8x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x8x7x7xf32>'}}
  // expected-error @below {{'cnn.max_pool2d' op failed to infer returned types}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x8x16x16xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @avg_pool_padding_over_half_kernel(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.avg_pool2d' op padding ([0, 2, 0, 0]) must be at most half the kernel size (2x2)}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] pad [0, 2, 0, 0] : tensor<1x8x16x16xf32> -> tensor<1x8x8x9xf32>
  return
}

// -----

func.func @avg_pool_zero_divisor(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.avg_pool2d' op expects a non-zero 'divisor_override'}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] divisor 0 : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @avg_pool_wrong_result(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.avg_pool2d' op inferred type(s) 'tensor<1x8x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x8x9x9xf32>'}}
  // expected-error @below {{'cnn.avg_pool2d' op failed to infer returned types}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] ceil_mode : tensor<1x8x16x16xf32> -> tensor<1x8x9x9xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<8x16x16xf32>) {
  // expected-error @below {{operand #0 must be statically shaped 4-D tensor of floating-point values, but got 'tensor<8x16x16xf32>'}}
  %0 = cnn.global_avg_pool %x : tensor<8x16x16xf32> -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @global_pool_wrong_result(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.global_avg_pool' op inferred type(s) 'tensor<1x8x1x1xf32>' are incompatible with return type(s) of operation 'tensor<1x8x16x1xf32>'}}
  // expected-error @below {{'cnn.global_avg_pool' op failed to infer returned types}}
  %0 = cnn.global_avg_pool %x : tensor<1x8x16x16xf32> -> tensor<1x8x16x1xf32>
  return
}

// -----

func.func @ceil_mode_overhang_of_a_stride(%x: tensor<1x8x2x2xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op dilated kernel (4x4) is larger than the padded input (2x2): the output would be empty}}
  %0 = cnn.max_pool2d %x kernel [4, 4] stride [2, 2] ceil_mode : tensor<1x8x2x2xf32> -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @stride_count(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.avg_pool2d' op expects 'strides' to be two positive integers (height, width), got [2, 2, 2]}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2, 2] : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @padding_count(%x: tensor<1x8x16x16xf32>) {
  // expected-error @below {{'cnn.avg_pool2d' op expects 'padding' to be four non-negative integers (top, left, bottom, right), got [1, 1]}}
  %0 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] pad [1, 1] : tensor<1x8x16x16xf32> -> tensor<1x8x9x9xf32>
  return
}

// -----

func.func @output_past_64_bits(%x: tensor<1x1x3x3xf32>) {
  // expected-error @below {{'cnn.max_pool2d' op padding ([9223372036854775807, 0, 9223372036854775807, 0]) must be at most half the kernel size (3x3)}}
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [1, 1] pad [9223372036854775807, 0, 9223372036854775807, 0] : tensor<1x1x3x3xf32> -> tensor<1x1x1x1xf32>
  return
}

// Each rule of the element-wise ops, batch norm and the activations, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @add_no_broadcast(%a: tensor<1x64x8x8xf32>, %b: tensor<1x32x1x1xf32>) {
  // expected-error @below {{'cnn.add' op operand shapes [1, 64, 8, 8] and [1, 32, 1, 1] do not broadcast: aligned from the last dimension, each pair of sizes must be equal or contain a 1}}
  %0 = cnn.add %a, %b : tensor<1x64x8x8xf32>, tensor<1x32x1x1xf32> -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @residual_shape_mismatch(%a: tensor<1x64x8x8xf32>, %b: tensor<1x64x4x4xf32>) {
  // expected-error @below {{'cnn.add' op operand shapes [1, 64, 8, 8] and [1, 64, 4, 4] do not broadcast}}
  %0 = cnn.add %a, %b : tensor<1x64x8x8xf32>, tensor<1x64x4x4xf32> -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @mul_element_types(%a: tensor<1x64x8x8xf32>, %b: tensor<1x64x1x1xbf16>) {
  // expected-error @below {{'cnn.mul' op expects 'rhs' to have the element type of 'lhs' ('f32'), got 'bf16'}}
  %0 = cnn.mul %a, %b : tensor<1x64x8x8xf32>, tensor<1x64x1x1xbf16> -> tensor<1x64x8x8xf32>
  return
}

// -----

func.func @mul_wrong_result(%a: tensor<1x64x8x8xf32>, %b: tensor<1x64x1x1xf32>) {
  // expected-error @below {{'cnn.mul' op inferred type(s) 'tensor<1x64x8x8xf32>' are incompatible with return type(s) of operation 'tensor<1x64x1x1xf32>'}}
  // expected-error @below {{'cnn.mul' op failed to infer returned types}}
  %0 = cnn.mul %a, %b : tensor<1x64x8x8xf32>, tensor<1x64x1x1xf32> -> tensor<1x64x1x1xf32>
  return
}

// -----

func.func @batch_norm_mean_length(%x: tensor<1x8x4x4xf32>, %m: tensor<4xf32>, %v: tensor<8xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'mean' to have 8 elements (one per channel), got 4}}
  %0 = cnn.batch_norm %x mean %m variance %v : (tensor<1x8x4x4xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_scale_length(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>, %s: tensor<9xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'scale' to have 8 elements (one per channel), got 9}}
  %0 = cnn.batch_norm %x mean %v variance %v scale %s : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<9xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_shift_element_type(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>, %s: tensor<8xf16>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'shift' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.batch_norm %x mean %v variance %v shift %s : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf16>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_negative_epsilon(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'epsilon' to be finite and non-negative, got -1.000000e-05}}
  %0 = cnn.batch_norm %x mean %v variance %v epsilon -1.0e-5 : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_without_channels(%x: tensor<8xf32>, %v: tensor<8xf32>) {
  // expected-error @below {{operand #0 must be statically shaped tensor of rank >= 2 of floating-point values, but got 'tensor<8xf32>'}}
  %0 = cnn.batch_norm %x mean %v variance %v : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @relu_integer(%x: tensor<4xi32>) {
  // expected-error @below {{operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = cnn.relu %x : tensor<4xi32>
  return
}

// -----

func.func @sigmoid_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @below {{'cnn.sigmoid' op expects 'input' to be a statically shaped tensor, got 'tensor<?x4xf32>'}}
  %0 = cnn.sigmoid %x : tensor<?x4xf32>
  return
}

// -----

func.func @tanh_wrong_result(%x: tensor<2x4xf32>) {
  // expected-error @below {{'cnn.tanh' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "cnn.tanh"(%x) : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @clip_inverted(%x: tensor<4xf32>) {
  // expected-error @below {{'cnn.clip' op expects 'min' <= 'max', got min 6.000000e+00 and max 0.000000e+00}}
  %0 = cnn.clip %x min 6.0 max 0.0 : tensor<4xf32>
  return
}

// -----

func.func @clip_nan(%x: tensor<4xf32>) {
  // expected-error @below {{'cnn.clip' op expects 'min' <= 'max', got min 0.000000e+00 and max nan}}
  %0 = cnn.clip %x min 0.0 max 0x7FF8000000000000 : tensor<4xf32>
  return
}

// -----

func.func @leaky_relu_infinite_slope(%x: tensor<4xf32>) {
  // expected-error @below {{'cnn.leaky_relu' op expects a finite 'negative_slope', got INF}}
  %0 = cnn.leaky_relu %x negative_slope 0x7FF0000000000000 : tensor<4xf32>
  return
}

// -----

func.func @prelu_slope_count(%x: tensor<1x8x4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @below {{'cnn.prelu' op expects 'slope' to have 1 element or one per channel (8), got 4}}
  %0 = cnn.prelu %x, %s : tensor<1x8x4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @prelu_slopes_without_channels(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @below {{'cnn.prelu' op expects a single slope for an input without a channel dimension, got 4}}
  %0 = cnn.prelu %x, %s : tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @prelu_slope_rank(%x: tensor<1x8x4x4xf32>, %s: tensor<1x8xf32>) {
  // expected-error @below {{'cnn.prelu' op expects 'slope' to have rank 1, got 'tensor<1x8xf32>'}}
  %0 = cnn.prelu %x, %s : tensor<1x8x4x4xf32>, tensor<1x8xf32>
  return
}

// -----

func.func @batch_norm_variance_length(%x: tensor<1x8x4x4xf32>, %m: tensor<8xf32>, %v: tensor<7xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'variance' to have 8 elements (one per channel), got 7}}
  %0 = cnn.batch_norm %x mean %m variance %v : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<7xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @relu_empty(%x: tensor<2x0xf32>) {
  // expected-error @below {{'cnn.relu' op expects 'input' to have no empty dimension, got 'tensor<2x0xf32>'}}
  %0 = cnn.relu %x : tensor<2x0xf32>
  return
}

// -----

func.func @batch_norm_missing_variance(%x: tensor<1x6x4x4xf32>, %m: tensor<6xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects exactly one 'mean' operand, got 2}}
  %0 = "cnn.batch_norm"(%x, %m, %m) <{operandSegmentSizes = array<i32: 1, 2, 0, 0, 0>}> : (tensor<1x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @batch_norm_no_variance(%x: tensor<1x6x4x4xf32>, %m: tensor<6xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects exactly one 'variance' operand, got 0}}
  %0 = "cnn.batch_norm"(%x, %m, %m) <{operandSegmentSizes = array<i32: 1, 1, 0, 1, 0>}> : (tensor<1x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return
}

// -----

func.func @batch_norm_nan_epsilon(%x: tensor<1x8x4x4xf32>, %v: tensor<8xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'epsilon' to be finite and non-negative, got nan}}
  %0 = cnn.batch_norm %x mean %v variance %v epsilon 0x7FF8000000000000 : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @batch_norm_mean_element_type(%x: tensor<1x8x4x4xf32>, %m: tensor<8xf64>, %v: tensor<8xf32>) {
  // expected-error @below {{'cnn.batch_norm' op expects 'mean' to have the element type of 'input' ('f32'), got 'f64'}}
  %0 = cnn.batch_norm %x mean %m variance %v : (tensor<1x8x4x4xf32>, tensor<8xf64>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @prelu_slope_element_type(%x: tensor<1x8x4x4xf32>, %s: tensor<8xf16>) {
  // expected-error @below {{'cnn.prelu' op expects 'slope' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.prelu %x, %s : tensor<1x8x4x4xf32>, tensor<8xf16>
  return
}

// -----

func.func @leaky_relu_nan_slope(%x: tensor<4xf32>) {
  // expected-error @below {{'cnn.leaky_relu' op expects a finite 'negative_slope', got nan}}
  %0 = cnn.leaky_relu %x negative_slope 0x7FF8000000000000 : tensor<4xf32>
  return
}

// Each rule of cnn.dense, cnn.softmax, cnn.flatten and cnn.reshape, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @dense_features(%x: tensor<1x512xf32>, %w: tensor<10x256xf32>) {
  // expected-error @below {{'cnn.dense' op input has 512 features but 'weight' ([out, in]) expects 256}}
  %0 = cnn.dense %x, %w : (tensor<1x512xf32>, tensor<10x256xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @dense_bias_length(%x: tensor<1x512xf32>, %w: tensor<10x512xf32>, %b: tensor<512xf32>) {
  // expected-error @below {{'cnn.dense' op expects 'bias' to have 10 elements (one per output feature), got 512}}
  %0 = cnn.dense %x, %w bias %b : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<512xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @dense_rank(%x: tensor<1x512x1x1xf32>, %w: tensor<10x512xf32>) {
  // expected-error @below {{operand #0 must be statically shaped 2-D tensor of floating-point values, but got 'tensor<1x512x1x1xf32>'}}
  %0 = cnn.dense %x, %w : (tensor<1x512x1x1xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @dense_wrong_result(%x: tensor<2x512xf32>, %w: tensor<10x512xf32>) {
  // expected-error @below {{'cnn.dense' op inferred type(s) 'tensor<2x10xf32>' are incompatible with return type(s) of operation 'tensor<1x10xf32>'}}
  // expected-error @below {{'cnn.dense' op failed to infer returned types}}
  %0 = cnn.dense %x, %w : (tensor<2x512xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<1x10xf32>) {
  // expected-error @below {{'cnn.softmax' op expects 'axis' to be in [-2, 2) for a tensor of rank 2, got 2}}
  %0 = cnn.softmax %x axis 2 : tensor<1x10xf32>
  return
}

// -----

func.func @softmax_negative_axis(%x: tensor<1x10xf32>) {
  // expected-error @below {{'cnn.softmax' op expects 'axis' to be in [-2, 2) for a tensor of rank 2, got -3}}
  %0 = cnn.softmax %x axis -3 : tensor<1x10xf32>
  return
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) {
  // expected-error @below {{'cnn.softmax' op expects 'axis' to be in [-1, 1) for a tensor of rank 1, got 1}}
  %0 = cnn.softmax %x : tensor<f32>
  return
}

// -----

func.func @flatten_reversed(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.flatten' op expects 'start_dim' (2) to come no later than 'end_dim' (1)}}
  %0 = cnn.flatten %x start_dim 2 end_dim 1 : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @flatten_out_of_range(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.flatten' op expects 'end_dim' to be in [-4, 4) for a tensor of rank 4, got 4}}
  %0 = cnn.flatten %x end_dim 4 : tensor<1x8x4x4xf32> -> tensor<1x128xf32>
  return
}

// -----

func.func @flatten_wrong_result(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.flatten' op inferred type(s) 'tensor<1x128xf32>' are incompatible with return type(s) of operation 'tensor<128xf32>'}}
  // expected-error @below {{'cnn.flatten' op failed to infer returned types}}
  %0 = cnn.flatten %x : tensor<1x8x4x4xf32> -> tensor<128xf32>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.reshape' op cannot reshape 'tensor<1x8x4x4xf32>' (128 elements) to [1, 100] (100 elements)}}
  %0 = cnn.reshape %x to [1, 100] : tensor<1x8x4x4xf32>
  return
}

// -----

func.func @reshape_inferred_size(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.reshape' op expects a shape of positive sizes, got [1, -1]}}
  %0 = cnn.reshape %x to [1, -1] : tensor<1x8x4x4xf32>
  return
}

// -----

func.func @reshape_overflow(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.reshape' op shape [4294967296, 4294967296] has more elements than fit in 64 bits}}
  %0 = cnn.reshape %x to [4294967296, 4294967296] : tensor<1x8x4x4xf32>
  return
}

// -----

func.func @reshape_wrong_result(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.reshape' op inferred type(s) 'tensor<8x16xf32>' are incompatible with return type(s) of operation 'tensor<16x8xf32>'}}
  // expected-error @below {{'cnn.reshape' op failed to infer returned types}}
  %0 = "cnn.reshape"(%x) <{shape = array<i64: 8, 16>}> : (tensor<1x8x4x4xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @flatten_scalar(%x: tensor<f32>) {
  // expected-error @below {{'cnn.flatten' op expects 'start_dim and end_dim' to be in [-1, 1) for a tensor of rank 1, got 1}}
  %0 = cnn.flatten %x : tensor<f32> -> tensor<1xf32>
  return
}

// -----

func.func @reshape_empty_input(%x: tensor<0x4xf32>) {
  // expected-error @below {{'cnn.reshape' op expects 'input' to have no empty dimension, got 'tensor<0x4xf32>'}}
  %0 = cnn.reshape %x to [4, 0] : tensor<0x4xf32>
  return
}

// -----

func.func @dense_weight_element_type(%x: tensor<1x512xf32>, %w: tensor<10x512xf16>) {
  // expected-error @below {{'cnn.dense' op expects 'weight' to have the element type of 'input' ('f32'), got 'f16'}}
  %0 = cnn.dense %x, %w : (tensor<1x512xf32>, tensor<10x512xf16>) -> tensor<1x10xf32>
  return
}

// -----

func.func @dense_bias_element_type(%x: tensor<1x512xf32>, %w: tensor<10x512xf32>, %b: tensor<10xbf16>) {
  // expected-error @below {{'cnn.dense' op expects 'bias' to have the element type of 'input' ('f32'), got 'bf16'}}
  %0 = cnn.dense %x, %w bias %b : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xbf16>) -> tensor<1x10xf32>
  return
}

// -----

func.func @flatten_start_out_of_range(%x: tensor<1x8x4x4xf32>) {
  // expected-error @below {{'cnn.flatten' op expects 'start_dim' to be in [-4, 4) for a tensor of rank 4, got -5}}
  %0 = cnn.flatten %x start_dim -5 : tensor<1x8x4x4xf32> -> tensor<128xf32>
  return
}

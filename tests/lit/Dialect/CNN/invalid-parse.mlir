// Ops whose custom form infers the result type while parsing: an operand that
// is no ranked tensor, or is dynamically shaped, is reported at the op, not
// crashed on; and plain syntax errors.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @relu_scalar(%x: f32) {
  // expected-error @below {{custom op 'cnn.relu' invalid kind of type specified}}
  %0 = cnn.relu %x : f32
  return
}

// -----

func.func @clip_memref(%x: memref<4xf32>) {
  // expected-error @below {{custom op 'cnn.clip' invalid kind of type specified}}
  %0 = cnn.clip %x min 0.0 max 6.0 : memref<4xf32>
  return
}

// -----

func.func @leaky_relu_unranked(%x: tensor<*xf32>) {
  // expected-error @below {{custom op 'cnn.leaky_relu' invalid kind of type specified}}
  %0 = cnn.leaky_relu %x : tensor<*xf32>
  return
}

// -----

func.func @prelu_vector_slope(%x: tensor<1x4x2x2xf32>, %s: vector<4xf32>) {
  // expected-error @below {{custom op 'cnn.prelu' invalid kind of type specified}}
  %0 = cnn.prelu %x, %s : tensor<1x4x2x2xf32>, vector<4xf32>
  return
}

// -----

func.func @shuffle_dynamic(%x: tensor<1x?x4x4xf32>) {
  // expected-error @below {{'cnn.channel_shuffle' op expects 'input' to be a statically shaped tensor, got 'tensor<1x?x4x4xf32>'}}
  %0 = cnn.channel_shuffle %x groups 2 : tensor<1x?x4x4xf32>
  return
}

// -----

func.func @softmax_index(%x: index) {
  // expected-error @below {{custom op 'cnn.softmax' invalid kind of type specified}}
  %0 = cnn.softmax %x : index
  return
}

// -----

func.func @reshape_dynamic(%x: tensor<?x4xf32>) {
  // expected-error @below {{'cnn.reshape' op expects 'input' to be a statically shaped tensor, got 'tensor<?x4xf32>'}}
  %0 = cnn.reshape %x to [4, 4] : tensor<?x4xf32>
  return
}

// -----

func.func @conv_missing_comma(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{expected ','}}
  %0 = cnn.conv2d %x %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_unknown_keyword(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @below {{expected ':'}}
  %0 = cnn.conv2d %x, %w strides [2, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @unknown_op(%x: tensor<4xf32>) {
  // expected-error @below {{custom op 'cnn.gelu' is unknown}}
  %0 = cnn.gelu %x : tensor<4xf32>
  return
}

// Each rule of cnn.weight, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @empty_name() {
  // expected-error @below {{'cnn.weight' op expects a non-empty parameter name}}
  %0 = cnn.weight "" : tensor<4xf32>
  return
}

// -----

func.func @value_type_mismatch() {
  // expected-error @below {{'cnn.weight' op value of type 'tensor<2xf32>' does not match the result type 'tensor<3xf32>'}}
  %0 = "cnn.weight"() <{name = "w", value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @dynamic_weight() {
  // expected-error @below {{result #0 must be statically shaped tensor of floating-point values, but got 'tensor<?xf32>'}}
  %0 = cnn.weight "w" : tensor<?xf32>
  return
}

// -----

func.func @integer_weight() {
  // expected-error @below {{result #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi64>'}}
  %0 = cnn.weight "bn.num_batches_tracked" = dense<0> : tensor<4xi64>
  return
}

// -----

func.func @missing_type() {
  // expected-error @below {{expected ':'}}
  %0 = cnn.weight "w"
  return
}

// -----

func.func @empty_weight() {
  // expected-error @below {{'cnn.weight' op expects no empty dimension, got 'tensor<0xf32>'}}
  %0 = cnn.weight "w" = dense<1.0> : tensor<0xf32>
  return
}

// Each rule of cnn.transpose, cnn.sub and cnn.div, broken once.
// RUN: cnnc-opt %s -split-input-file -verify-diagnostics

func.func @transpose_length(%x: tensor<2x3x4xf32>) {
  // expected-error @below {{'cnn.transpose' op expects 'permutation' to be a permutation of the 3 dimensions of 'tensor<2x3x4xf32>', got [1, 0]}}
  %0 = cnn.transpose %x perm [1, 0] : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_repeated(%x: tensor<2x3x4xf32>) {
  // expected-error @below {{'cnn.transpose' op expects 'permutation' to be a permutation of the 3 dimensions of 'tensor<2x3x4xf32>', got [0, 0, 1]}}
  %0 = cnn.transpose %x perm [0, 0, 1] : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @transpose_range(%x: tensor<2x3xf32>) {
  // expected-error @below {{'cnn.transpose' op expects 'permutation' to be a permutation of the 2 dimensions of 'tensor<2x3xf32>', got [0, 2]}}
  %0 = cnn.transpose %x perm [0, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @sub_broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) {
  // expected-error @below {{'cnn.sub' op operand shapes [2, 3] and [4] do not broadcast}}
  %0 = cnn.sub %x, %y : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @div_element_type(%x: tensor<2x3xf32>, %y: tensor<2x3xf64>) {
  // expected-error @below {{'cnn.div' op expects 'rhs' to have the element type of 'lhs'}}
  %0 = cnn.div %x, %y : tensor<2x3xf32>, tensor<2x3xf64> -> tensor<2x3xf32>
  return
}

// RUN: cnnc-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @roundtrip
// CHECK: cnn.fused "conv_epilogue"(%arg0, %arg1) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
// CHECK: ^bb0(%{{.*}}: tensor<1x4x5x5xf32>, %{{.*}}: tensor<4x4x1x1xf32>):
// CHECK: cnn.yield %{{.*}} : tensor<1x4x5x5xf32>
func.func @roundtrip(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = cnn.fused "conv_epilogue"(%x, %w) : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>, %b: tensor<4x4x1x1xf32>):
    %1 = cnn.conv2d %a, %b : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
    %2 = cnn.relu %1 : tensor<1x4x5x5xf32>
    cnn.yield %2 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @argument_type(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.fused' op body argument #0 has type 'tensor<1x4x5x6xf32>' but input #0 has type 'tensor<1x4x5x5xf32>'}}
  %0 = cnn.fused "k"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x6xf32>):
    cnn.yield %x : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @argument_count(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.fused' op expects one body argument per input, got 0 for 1 inputs}}
  %0 = cnn.fused "k"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
    %1 = cnn.relu %x : tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @yield_type(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.fused' op yields 'tensor<1x4x5x5xf32>' but the op's results are 'tensor<1x4x5x6xf32>'}}
  %0 = cnn.fused "k"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x6xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>):
    %1 = cnn.relu %a : tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  return %x : tensor<1x4x5x5xf32>
}

// -----

func.func @empty_body(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.fused' op expects a body with at least one op}}
  %0 = cnn.fused "k"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>):
    cnn.yield %a : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @empty_kind(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'cnn.fused' op expects a non-empty fusion kind}}
  %0 = cnn.fused ""(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>):
    %1 = cnn.relu %a : tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

// -----

func.func @isolated(%x: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = cnn.fused "k"(%x) : (tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  ^bb0(%a: tensor<1x4x5x5xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %1 = cnn.relu %x : tensor<1x4x5x5xf32>
    cnn.yield %1 : tensor<1x4x5x5xf32>
  }
  return %0 : tensor<1x4x5x5xf32>
}

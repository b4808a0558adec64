// A parameter without a value cannot be compiled.
// RUN: not cnnc-opt %s --cnn-lower-to-linalg 2>&1 | FileCheck %s
// CHECK: error: 'cnn.weight' op parameter 'fc.weight' has no value: bind weights first (cnnc --weights or --random-weights)
func.func @unbound() -> tensor<2xf32> {
  %0 = cnn.weight "fc.weight" : tensor<2xf32>
  return %0 : tensor<2xf32>
}

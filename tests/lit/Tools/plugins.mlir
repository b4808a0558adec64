// cnnc-opt loads out-of-tree passes and dialects: the test plugin's pass uses
// the cnn dialect's C++ API, and its dialect parses once loaded. As in
// mlir-opt, a plugin's passes register after the command line is parsed, so
// they are named in --pass-pipeline.
// RUN: cnnc-opt %s --load-pass-plugin=%test_plugin --pass-pipeline='builtin.module(cnnc-test-tag-convolutions)' --load-dialect-plugin=%test_plugin | FileCheck %s
// RUN: not cnnc-opt %s 2>&1 | FileCheck %s --check-prefix=NO-PLUGIN
// RUN: not cnnc-opt %s --load-pass-plugin=%t.missing.so 2>&1 | FileCheck %s --check-prefix=MISSING

// CHECK-LABEL: func @tagged
// CHECK: cnn.conv2d {{.*}} {test.variant = "depthwise"}
// CHECK: cnn.conv2d {{.*}} {test.variant = "pointwise"}
// CHECK: cnnc_test.mark %{{.*}} "done" : tensor<1x8x4x4xf32>
// NO-PLUGIN: error: Dialect `cnnc_test' not found for custom op 'cnnc_test.mark'
// MISSING: Failed to load passes from '{{.*}}missing.so'
func.func @tagged(%x: tensor<1x8x4x4xf32>, %dw: tensor<8x1x3x3xf32>, %pw: tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 8 : (tensor<1x8x4x4xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  %1 = cnn.conv2d %0, %pw : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %2 = cnnc_test.mark %1 "done" : tensor<1x8x4x4xf32>
  return %2 : tensor<1x8x4x4xf32>
}

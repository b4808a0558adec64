// Every cnn op in its custom form, with non-default attributes: the printed IR
// is stable (print -> parse -> print gives the same text) and is what we wrote.
// RUN: cnnc-opt %s | FileCheck %s
// RUN: cnnc-opt %s > %t.1.mlir && cnnc-opt %t.1.mlir > %t.2.mlir && diff %t.1.mlir %t.2.mlir
// RUN: cnnc-opt %s --mlir-print-op-generic | cnnc-opt > %t.3.mlir && diff %t.1.mlir %t.3.mlir

// CHECK-LABEL: func @convolutions
func.func @convolutions(%x: tensor<1x64x56x56xf32>, %w: tensor<128x2x3x3xf32>,
                        %b: tensor<128xf32>, %off: tensor<1x36x28x28xf32>,
                        %m: tensor<1x18x28x28xf32>, %dw: tensor<64x64x3x3xf32>) {
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} bias %{{.*}} stride [2, 2] pad [1, 0, 2, 1] dilation [1, 1] groups 32 : (tensor<1x64x56x56xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x29x28xf32>
  %0 = cnn.conv2d %x, %w bias %b stride [2, 2] pad [1, 0, 2, 1] dilation [1, 1] groups 32
      : (tensor<1x64x56x56xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x29x28xf32>
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x54x54xf32>
  %1 = cnn.conv2d %x, %dw : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x54x54xf32>
  // CHECK: cnn.conv2d %{{.*}}, %{{.*}} pad [4, 4, 4, 4] dilation [4, 4] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %2 = cnn.conv2d %x, %dw pad [4, 4, 4, 4] dilation [4, 4] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: cnn.deform_conv2d %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} bias %{{.*}} stride [2, 2] pad [1, 1, 1, 1] dilation [1, 1] groups 32 offset_groups 2 : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<1x18x28x28xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
  %3 = cnn.deform_conv2d %x, %off, %w mask %m bias %b stride [2, 2] pad [1, 1, 1, 1] dilation [1, 1] groups 32 offset_groups 2
      : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<1x18x28x28xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
  // CHECK: cnn.deform_conv2d %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} stride [2, 2] pad [1, 1, 1, 1] groups 32 offset_groups 2 : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
  %4 = cnn.deform_conv2d %x, %off, %w bias %b stride [2, 2] pad [1, 1, 1, 1] groups 32 offset_groups 2
      : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
  return
}

// CHECK-LABEL: func @channels
func.func @channels(%a: tensor<1x58x28x28xf32>, %b: tensor<1x58x28x28xf32>, %c: tensor<1x24x28x28xf16>) {
  // CHECK: cnn.channel_shuffle %{{.*}} groups 2 : tensor<1x58x28x28xf32>
  %0 = cnn.channel_shuffle %a groups 2 : tensor<1x58x28x28xf32>
  // CHECK: cnn.concat %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32> -> tensor<1x174x28x28xf32>
  %1 = cnn.concat %a, %b, %0 : tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32> -> tensor<1x174x28x28xf32>
  // CHECK: cnn.slice %{{.*}} offset 29 size 87 : tensor<1x174x28x28xf32> -> tensor<1x87x28x28xf32>
  %2 = cnn.slice %1 offset 29 size 87 : tensor<1x174x28x28xf32> -> tensor<1x87x28x28xf32>
  // CHECK: cnn.channel_shuffle %{{.*}} groups 3 : tensor<1x24x28x28xf16>
  %3 = cnn.channel_shuffle %c groups 3 : tensor<1x24x28x28xf16>
  return
}

// CHECK-LABEL: func @arithmetic_and_normalization
func.func @arithmetic_and_normalization(%x: tensor<1x64x56x56xf32>, %s: tensor<1x64x1x1xf32>,
                                        %v: tensor<64xf32>, %row: tensor<56xf32>) {
  // CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32> -> tensor<1x64x56x56xf32>
  %0 = cnn.add %x, %x : tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32> -> tensor<1x64x56x56xf32>
  // CHECK: cnn.mul %{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32> -> tensor<1x64x56x56xf32>
  %1 = cnn.mul %x, %s : tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32> -> tensor<1x64x56x56xf32>
  // CHECK: cnn.add %{{.*}}, %{{.*}} : tensor<56xf32>, tensor<1x64x1x1xf32> -> tensor<1x64x1x56xf32>
  %2 = cnn.add %row, %s : tensor<56xf32>, tensor<1x64x1x1xf32> -> tensor<1x64x1x56xf32>
  // CHECK: cnn.batch_norm %{{.*}} mean %{{.*}} variance %{{.*}} scale %{{.*}} shift %{{.*}} epsilon 1.000000e-03 : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %3 = cnn.batch_norm %x mean %v variance %v scale %v shift %v epsilon 1.0e-3
      : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: cnn.batch_norm %{{.*}} mean %{{.*}} variance %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %4 = cnn.batch_norm %x mean %v variance %v : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  // CHECK: cnn.batch_norm %{{.*}} mean %{{.*}} variance %{{.*}} shift %{{.*}} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %5 = cnn.batch_norm %x mean %v variance %v shift %v : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  return
}

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<1x64x56x56xf32>, %slopes: tensor<64xf32>, %one: tensor<1xf32>, %h: tensor<2x10xbf16>) {
  // CHECK: cnn.relu %{{.*}} : tensor<1x64x56x56xf32>
  %0 = cnn.relu %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.relu6 %{{.*}} : tensor<1x64x56x56xf32>
  %1 = cnn.relu6 %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.clip %{{.*}} min -1.000000e+00 max 1.000000e+00 : tensor<1x64x56x56xf32>
  %2 = cnn.clip %x min -1.0 max 1.0 : tensor<1x64x56x56xf32>
  // CHECK: cnn.leaky_relu %{{.*}} negative_slope 2.000000e-01 : tensor<1x64x56x56xf32>
  %3 = cnn.leaky_relu %x negative_slope 0.2 : tensor<1x64x56x56xf32>
  // CHECK: cnn.leaky_relu %{{.*}} : tensor<2x10xbf16>
  %4 = cnn.leaky_relu %h : tensor<2x10xbf16>
  // CHECK: cnn.prelu %{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<64xf32>
  %5 = cnn.prelu %x, %slopes : tensor<1x64x56x56xf32>, tensor<64xf32>
  // CHECK: cnn.prelu %{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<1xf32>
  %6 = cnn.prelu %x, %one : tensor<1x64x56x56xf32>, tensor<1xf32>
  // CHECK: cnn.sigmoid %{{.*}} : tensor<1x64x56x56xf32>
  %7 = cnn.sigmoid %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.hard_sigmoid %{{.*}} : tensor<1x64x56x56xf32>
  %8 = cnn.hard_sigmoid %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.hard_swish %{{.*}} : tensor<1x64x56x56xf32>
  %9 = cnn.hard_swish %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.silu %{{.*}} : tensor<1x64x56x56xf32>
  %10 = cnn.silu %x : tensor<1x64x56x56xf32>
  // CHECK: cnn.tanh %{{.*}} : tensor<2x10xbf16>
  %11 = cnn.tanh %h : tensor<2x10xbf16>
  return
}

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<1x64x112x112xf32>) {
  // CHECK: cnn.max_pool2d %{{.*}} kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  // CHECK: cnn.max_pool2d %{{.*}} kernel [3, 2] stride [2, 3] pad [0, 1, 1, 0] dilation [2, 1] ceil_mode : tensor<1x64x112x112xf32> -> tensor<1x64x55x38xf32>
  %1 = cnn.max_pool2d %x kernel [3, 2] stride [2, 3] pad [0, 1, 1, 0] dilation [2, 1] ceil_mode : tensor<1x64x112x112xf32> -> tensor<1x64x55x38xf32>
  // CHECK: cnn.avg_pool2d %{{.*}} kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1] ceil_mode count_include_pad divisor 4 : tensor<1x64x112x112xf32> -> tensor<1x64x57x57xf32>
  %2 = cnn.avg_pool2d %x kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1] ceil_mode count_include_pad divisor 4 : tensor<1x64x112x112xf32> -> tensor<1x64x57x57xf32>
  // CHECK: cnn.avg_pool2d %{{.*}} kernel [2, 2] stride [2, 2] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  %3 = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  // CHECK: cnn.global_avg_pool %{{.*}} : tensor<1x64x112x112xf32> -> tensor<1x64x1x1xf32>
  %4 = cnn.global_avg_pool %x : tensor<1x64x112x112xf32> -> tensor<1x64x1x1xf32>
  return
}

// In ceil mode a window may overhang the input by less than a stride: PyTorch
// gives one output for a 3x3 kernel with stride 2 on a 2x2 input.
// CHECK-LABEL: func @ceil_mode_overhang
func.func @ceil_mode_overhang(%x: tensor<1x1x2x2xf32>) {
  // CHECK: cnn.max_pool2d %{{.*}} kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %0 = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  // CHECK: cnn.avg_pool2d %{{.*}} kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  %1 = cnn.avg_pool2d %x kernel [3, 3] stride [2, 2] ceil_mode : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  return
}

// CHECK-LABEL: func @dense_and_shapes
func.func @dense_and_shapes(%x: tensor<2x2048x1x1xf32>, %w: tensor<1000x2048xf32>, %b: tensor<1000xf32>) {
  // CHECK: cnn.flatten %{{.*}} : tensor<2x2048x1x1xf32> -> tensor<2x2048xf32>
  %0 = cnn.flatten %x : tensor<2x2048x1x1xf32> -> tensor<2x2048xf32>
  // CHECK: cnn.flatten %{{.*}} start_dim 0 end_dim -2 : tensor<2x2048x1x1xf32> -> tensor<4096x1xf32>
  %1 = cnn.flatten %x start_dim 0 end_dim -2 : tensor<2x2048x1x1xf32> -> tensor<4096x1xf32>
  // CHECK: cnn.dense %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<2x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<2x1000xf32>
  %2 = cnn.dense %0, %w bias %b : (tensor<2x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<2x1000xf32>
  // CHECK: cnn.dense %{{.*}}, %{{.*}} : (tensor<2x2048xf32>, tensor<1000x2048xf32>) -> tensor<2x1000xf32>
  %3 = cnn.dense %0, %w : (tensor<2x2048xf32>, tensor<1000x2048xf32>) -> tensor<2x1000xf32>
  // CHECK: cnn.softmax %{{.*}} : tensor<2x1000xf32>
  %4 = cnn.softmax %2 : tensor<2x1000xf32>
  // CHECK: cnn.softmax %{{.*}} axis -2 : tensor<2x1000xf32>
  %5 = cnn.softmax %2 axis -2 : tensor<2x1000xf32>
  // CHECK: cnn.reshape %{{.*}} to [2, 8, 256] : tensor<2x2048x1x1xf32>
  %6 = cnn.reshape %x to [2, 8, 256] : tensor<2x2048x1x1xf32>
  return
}

// Scalars, as PyTorch allows: flatten gives a 1-element vector.
// CHECK-LABEL: func @scalars
func.func @scalars(%s: tensor<f32>) {
  // CHECK: cnn.flatten %{{.*}} start_dim 0 : tensor<f32> -> tensor<1xf32>
  %0 = cnn.flatten %s start_dim 0 : tensor<f32> -> tensor<1xf32>
  // CHECK: cnn.softmax %{{.*}} axis 0 : tensor<f32>
  %1 = cnn.softmax %s axis 0 : tensor<f32>
  return
}

// CHECK-LABEL: func @weights
func.func @weights() {
  // CHECK: cnn.weight "layer1.0.conv1.weight" : tensor<64x64x1x1xf32>
  %0 = cnn.weight "layer1.0.conv1.weight" : tensor<64x64x1x1xf32>
  // CHECK: cnn.weight "fc.bias" = dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
  %1 = cnn.weight "fc.bias" = dense<[0.5, -1.0]> : tensor<2xf32>
  // CHECK: cnn.weight "bn.running_var" = dense<1.000000e+00> : tensor<3xf16> {frozen}
  %2 = cnn.weight "bn.running_var" = dense<1.0> : tensor<3xf16> {frozen}
  return
}

// Every cnn op in the generic form: it parses, verifies, prints back
// identically in the generic form, and means the same IR as roundtrip.mlir.
// RUN: cnnc-opt --mlir-print-op-generic %s > %t.generic.mlir
// RUN: grep -v '^//' %s > %t.expected.mlir
// RUN: diff %t.expected.mlir %t.generic.mlir
// RUN: cnnc-opt %s > %t.custom.mlir
// RUN: cnnc-opt %S/roundtrip.mlir > %t.roundtrip.mlir
// RUN: diff %t.roundtrip.mlir %t.custom.mlir
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x64x56x56xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>, tensor<1x36x28x28xf32>, tensor<1x18x28x28xf32>, tensor<64x64x3x3xf32>) -> (), sym_name = "convolutions"}> ({
  ^bb0(%arg17: tensor<1x64x56x56xf32>, %arg18: tensor<128x2x3x3xf32>, %arg19: tensor<128xf32>, %arg20: tensor<1x36x28x28xf32>, %arg21: tensor<1x18x28x28xf32>, %arg22: tensor<64x64x3x3xf32>):
    %41 = "cnn.conv2d"(%arg17, %arg18, %arg19) <{dilations = array<i64: 1, 1>, groups = 32 : i64, padding = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 2>}> : (tensor<1x64x56x56xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x29x28xf32>
    %42 = "cnn.conv2d"(%arg17, %arg22) : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x54x54xf32>
    %43 = "cnn.conv2d"(%arg17, %arg22) <{dilations = array<i64: 4, 4>, padding = array<i64: 4, 4, 4, 4>}> : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
    %44 = "cnn.deform_conv2d"(%arg17, %arg20, %arg18, %arg21, %arg19) <{dilations = array<i64: 1, 1>, groups = 32 : i64, offset_groups = 2 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<1x18x28x28xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
    %45 = "cnn.deform_conv2d"(%arg17, %arg20, %arg18, %arg19) <{groups = 32 : i64, offset_groups = 2 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x64x56x56xf32>, tensor<1x36x28x28xf32>, tensor<128x2x3x3xf32>, tensor<128xf32>) -> tensor<1x128x28x28xf32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>, tensor<1x24x28x28xf16>) -> (), sym_name = "channels"}> ({
  ^bb0(%arg14: tensor<1x58x28x28xf32>, %arg15: tensor<1x58x28x28xf32>, %arg16: tensor<1x24x28x28xf16>):
    %37 = "cnn.channel_shuffle"(%arg14) <{groups = 2 : i64}> : (tensor<1x58x28x28xf32>) -> tensor<1x58x28x28xf32>
    %38 = "cnn.concat"(%arg14, %arg15, %37) : (tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>, tensor<1x58x28x28xf32>) -> tensor<1x174x28x28xf32>
    %39 = "cnn.slice"(%38) <{offset = 29 : i64, size = 87 : i64}> : (tensor<1x174x28x28xf32>) -> tensor<1x87x28x28xf32>
    %40 = "cnn.channel_shuffle"(%arg16) <{groups = 3 : i64}> : (tensor<1x24x28x28xf16>) -> tensor<1x24x28x28xf16>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>, tensor<64xf32>, tensor<56xf32>) -> (), sym_name = "arithmetic_and_normalization"}> ({
  ^bb0(%arg10: tensor<1x64x56x56xf32>, %arg11: tensor<1x64x1x1xf32>, %arg12: tensor<64xf32>, %arg13: tensor<56xf32>):
    %31 = "cnn.add"(%arg10, %arg10) : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %32 = "cnn.mul"(%arg10, %arg11) : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
    %33 = "cnn.add"(%arg13, %arg11) : (tensor<56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x1x56xf32>
    %34 = "cnn.batch_norm"(%arg10, %arg12, %arg12, %arg12, %arg12) <{epsilon = 1.000000e-03 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>}> : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    %35 = "cnn.batch_norm"(%arg10, %arg12, %arg12) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>}> : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    %36 = "cnn.batch_norm"(%arg10, %arg12, %arg12, %arg12) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>}> : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<1xf32>, tensor<2x10xbf16>) -> (), sym_name = "activations"}> ({
  ^bb0(%arg6: tensor<1x64x56x56xf32>, %arg7: tensor<64xf32>, %arg8: tensor<1xf32>, %arg9: tensor<2x10xbf16>):
    %19 = "cnn.relu"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %20 = "cnn.relu6"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %21 = "cnn.clip"(%arg6) <{max = 1.000000e+00 : f64, min = -1.000000e+00 : f64}> : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %22 = "cnn.leaky_relu"(%arg6) <{negative_slope = 2.000000e-01 : f64}> : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %23 = "cnn.leaky_relu"(%arg9) : (tensor<2x10xbf16>) -> tensor<2x10xbf16>
    %24 = "cnn.prelu"(%arg6, %arg7) : (tensor<1x64x56x56xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
    %25 = "cnn.prelu"(%arg6, %arg8) : (tensor<1x64x56x56xf32>, tensor<1xf32>) -> tensor<1x64x56x56xf32>
    %26 = "cnn.sigmoid"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %27 = "cnn.hard_sigmoid"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %28 = "cnn.hard_swish"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %29 = "cnn.silu"(%arg6) : (tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
    %30 = "cnn.tanh"(%arg9) : (tensor<2x10xbf16>) -> tensor<2x10xbf16>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x64x112x112xf32>) -> (), sym_name = "pooling"}> ({
  ^bb0(%arg5: tensor<1x64x112x112xf32>):
    %14 = "cnn.max_pool2d"(%arg5) <{kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    %15 = "cnn.max_pool2d"(%arg5) <{ceil_mode, dilations = array<i64: 2, 1>, kernel_size = array<i64: 3, 2>, padding = array<i64: 0, 1, 1, 0>, strides = array<i64: 2, 3>}> : (tensor<1x64x112x112xf32>) -> tensor<1x64x55x38xf32>
    %16 = "cnn.avg_pool2d"(%arg5) <{ceil_mode, count_include_pad, divisor_override = 4 : i64, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x64x112x112xf32>) -> tensor<1x64x57x57xf32>
    %17 = "cnn.avg_pool2d"(%arg5) <{kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    %18 = "cnn.global_avg_pool"(%arg5) : (tensor<1x64x112x112xf32>) -> tensor<1x64x1x1xf32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<1x1x2x2xf32>) -> (), sym_name = "ceil_mode_overhang"}> ({
  ^bb0(%arg4: tensor<1x1x2x2xf32>):
    %12 = "cnn.max_pool2d"(%arg4) <{ceil_mode, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>}> : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
    %13 = "cnn.avg_pool2d"(%arg4) <{ceil_mode, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>}> : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<2x2048x1x1xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> (), sym_name = "dense_and_shapes"}> ({
  ^bb0(%arg1: tensor<2x2048x1x1xf32>, %arg2: tensor<1000x2048xf32>, %arg3: tensor<1000xf32>):
    %5 = "cnn.flatten"(%arg1) : (tensor<2x2048x1x1xf32>) -> tensor<2x2048xf32>
    %6 = "cnn.flatten"(%arg1) <{end_dim = -2 : i64, start_dim = 0 : i64}> : (tensor<2x2048x1x1xf32>) -> tensor<4096x1xf32>
    %7 = "cnn.dense"(%5, %arg2, %arg3) : (tensor<2x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<2x1000xf32>
    %8 = "cnn.dense"(%5, %arg2) : (tensor<2x2048xf32>, tensor<1000x2048xf32>) -> tensor<2x1000xf32>
    %9 = "cnn.softmax"(%7) : (tensor<2x1000xf32>) -> tensor<2x1000xf32>
    %10 = "cnn.softmax"(%7) <{axis = -2 : i64}> : (tensor<2x1000xf32>) -> tensor<2x1000xf32>
    %11 = "cnn.reshape"(%arg1) <{shape = array<i64: 2, 8, 256>}> : (tensor<2x2048x1x1xf32>) -> tensor<2x8x256xf32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = (tensor<f32>) -> (), sym_name = "scalars"}> ({
  ^bb0(%arg0: tensor<f32>):
    %3 = "cnn.flatten"(%arg0) <{start_dim = 0 : i64}> : (tensor<f32>) -> tensor<1xf32>
    %4 = "cnn.softmax"(%arg0) <{axis = 0 : i64}> : (tensor<f32>) -> tensor<f32>
    "func.return"() : () -> ()
  }) : () -> ()
  "func.func"() <{function_type = () -> (), sym_name = "weights"}> ({
    %0 = "cnn.weight"() <{name = "layer1.0.conv1.weight"}> : () -> tensor<64x64x1x1xf32>
    %1 = "cnn.weight"() <{name = "fc.bias", value = dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32>
    %2 = "cnn.weight"() <{name = "bn.running_var", value = dense<1.000000e+00> : tensor<3xf16>}> {frozen} : () -> tensor<3xf16>
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()


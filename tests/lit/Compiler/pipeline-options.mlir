// cnnc-opt's pipelines take the options cnnc passes to cnnc::compile
// (PipelineOptions), as text: fusion, fusion-passes, tile-bytes,
// scratch-argument, bare-pointers, min-parallel-work.
// RUN: cnnc-opt %s --cnnc-lower-to-loops | FileCheck %s --check-prefix=FUSED
// RUN: cnnc-opt %s --cnnc-lower-to-loops="fusion=false" | FileCheck %s --check-prefix=UNFUSED
// RUN: cnnc-opt %s --cnnc-lower-to-loops="scratch-argument=true" | FileCheck %s --check-prefix=SCRATCH
// RUN: cnnc-opt %s --cnnc-lower-to-llvm | FileCheck %s --check-prefix=DESCRIPTORS
// RUN: cnnc-opt %s --cnnc-lower-to-llvm="bare-pointers=true scratch-argument=true min-parallel-work=1000000" | FileCheck %s --check-prefix=BARE
// RUN: cnnc-opt %s --cnnc-lower-to-llvm="bare-pointers=true scratch-argument=true min-parallel-work=1" | FileCheck %s --check-prefix=PARALLEL
// RUN: cnnc-opt %s --cnnc-lower-to-loops="tile-bytes=16" --mlir-print-ir-after=cnn-fuse-depthwise-pointwise -o /dev/null 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: cnnc-opt %s --pass-pipeline='builtin.module(cnnc-lower-to-loops{fusion-passes=cnn-fuse-epilogue{binary-ops=false}})' --mlir-print-ir-after=cnn-fuse-epilogue -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXTRA
// RUN: cnnc-opt --help | FileCheck %s --check-prefix=HELP
// RUN: not cnnc-opt %s --cnnc-lower-to-loops="fusion-passes=no-such-pass" 2>&1 | FileCheck %s --check-prefix=BAD-FUSION
// RUN: not cnnc-opt %s --cnnc-lower-to-loops="tile-bytes=-1" 2>&1 | FileCheck %s --check-prefix=BAD-TILE
// RUN: not cnnc-opt %s --cnnc-lower-to-loops="no-such-option=1" 2>&1 | FileCheck %s --check-prefix=BAD-OPTION

// With fusion, the relu is the convolution's epilogue, applied by its
// vector kernel (three loop nests: the padded input's fill and copy, the
// convolution); without, it is a loop nest of its own that reads the
// convolution's output back.
// FUSED-LABEL: func.func @conv_relu(
// FUSED: call @conv_relu_nest2(
// FUSED-NOT: call @conv_relu_nest3(
// FUSED-NOT: linalg.generic
// UNFUSED-LABEL: func.func @conv_relu(
// UNFUSED: call @conv_relu_nest3(
// UNFUSED-LABEL: func.func private @conv_relu_nest3(
// UNFUSED: vector.load
// UNFUSED-NEXT: arith.maximumf
// SCRATCH: func.func @conv_relu(%{{.*}}: memref<1x4x6x6xf32>, %{{.*}}: memref<1x4x6x6xf32>, %{{.*}}: memref<{{[0-9]+}}xi8> {cnnc.scratch})
// DESCRIPTORS: llvm.func @conv_relu(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64,
// Code for the C API takes the thread pool last; these small loops stay
// serial when min-parallel-work is above their work, and go on the pool
// when it is not.
// BARE: llvm.func @conv_relu(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr {cnnc.scratch}, %{{.*}}: !llvm.ptr {cnnc.pool})
// BARE-NOT: cnnc_rt_parallel_for
// PARALLEL: llvm.call @cnnc_rt_parallel_for
// A budget of 16 bytes: one row per tile.
// TILE: cnn.fused "depthwise_pointwise"{{.*}}{tile_rows = 1 : i64}
// The extra fusion pass runs first, without binary ops: the add is left.
// EXTRA: cnn.fused "conv_epilogue"
// EXTRA-NEXT: ^bb0
// EXTRA-NEXT: cnn.conv2d
// EXTRA-NEXT: cnn.relu
// EXTRA-NEXT: cnn.yield
// HELP: --cnnc-lower-to-llvm
// HELP-NEXT: --bare-pointers
// HELP-NEXT: --batch=<long>
// HELP-NEXT: --block=<long>
// HELP-NEXT: --fusion
// HELP-NEXT: --fusion-passes=<string>
// HELP-NEXT: --lone-convolutions-in-nchw
// HELP-NEXT: --min-parallel-work=<long>
// HELP-NEXT: --scratch-argument
// HELP-NEXT: --tile-bytes=<long>
// HELP-NEXT: --vector-lanes=<long>
// HELP-NEXT: --vector-registers=<long>
// HELP: --cnnc-lower-to-loops
// HELP-NEXT: --bare-pointers
// BAD-FUSION: error: fusion-passes: {{.*}}'no-such-pass' does not refer to a registered pass or pass pipeline
// BAD-TILE: error: tile-bytes must not be negative, got -1
// BAD-OPTION: no such option no-such-option

func.func @conv_relu(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = cnn.weight "w" = dense<0.5> : tensor<4x4x3x3xf32>
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}

func.func @separable(%x: tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %dw = cnn.weight "dw" = dense<0.5> : tensor<4x1x3x3xf32>
  %pw = cnn.weight "pw" = dense<0.25> : tensor<8x4x1x1xf32>
  %0 = cnn.conv2d %x, %dw pad [1, 1, 1, 1] groups 4 : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = cnn.conv2d %0, %pw : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
  return %1 : tensor<1x8x6x6xf32>
}

func.func @residual(%x: tensor<1x4x6x6xf32>, %r: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = cnn.weight "w2" = dense<0.5> : tensor<4x4x1x1xf32>
  %0 = cnn.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = cnn.relu %0 : tensor<1x4x6x6xf32>
  %2 = cnn.add %1, %r : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32> -> tensor<1x4x6x6xf32>
  return %2 : tensor<1x4x6x6xf32>
}

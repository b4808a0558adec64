// The IR examples parse, verify, survive canonicalization and the printer.
// RUN: cnnc-opt %cnnc_src_root/examples/ir/resnet50_bottleneck.mlir --canonicalize --cnn-print-stats 2>&1 | FileCheck %s --check-prefix=RESNET
// RUN: cnnc-opt %cnnc_src_root/examples/ir/shufflenet_v2_unit.mlir --cnn-print-stats 2>&1 | FileCheck %s --check-prefix=SHUFFLE

// ResNet-50 conv2_x bottleneck: 436.73 MFLOP (benchmarks' L4) = 218365952 MACs.
// The report (stderr) comes before the IR (stdout, printed at exit).
// RESNET: cnn stats for @bottleneck:
// RESNET: conv2d pointwise: 2
// RESNET: conv2d standard: 1
// RESNET: MACs (convolutions, dense): 218365952
// RESNET: func.func @bottleneck
// RESNET: cnn.add
// SHUFFLE: conv2d depthwise: 1
// SHUFFLE: cnn.channel_shuffle %{{.*}} groups 2

//===- Passes.td - cnn graph and fusion passes -------------*- tablegen -*-===//

#ifndef CNNC_PASSES_TD
#define CNNC_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNPrintStats : Pass<"cnn-print-stats", "mlir::ModuleOp"> {
  let summary = "Print op counts, convolution variants and MACs of each function";
  let description = [{
    Reports, for each function in order, how many ops of each `cnn` kind it
    holds, how its convolutions split into standard, pointwise, depthwise,
    grouped, dilated and deformable ones, and the multiply-accumulates of its
    convolutions and dense layers (saturating at 2^64 - 1). The IR is left
    unchanged; the report goes to stderr, for a quick look at a model and for
    FLOP counts in benchmark tables.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFoldBatchNorm : Pass<"cnn-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold inference batch norms into the preceding convolution or dense layer";
  let description = [{
    A `cnn.batch_norm` whose input is a `cnn.conv2d` or `cnn.dense` used by
    nothing else, with every parameter a `cnn.weight` holding values, is
    folded into that layer: each output channel's filter is scaled by
    scale / sqrt(variance + epsilon) and its bias becomes
    (bias - mean) * scale / sqrt(variance + epsilon) + shift, computed in
    double precision. The batch norm disappears, and with it one pass over
    the feature map. Convolutions whose result has other users, and
    parameters without values, are left alone.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFoldConstants : Pass<"cnn-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate ops whose operands are all parameters at compile time";
  let description = [{
    An op whose every operand is a `cnn.weight` with values computes the same
    result on every run, so it is evaluated once, at compile time, and
    replaced by a new `cnn.weight` named after the op and its operands (for
    example `relu(prelu.weight)`). Evaluated: the element-wise activations
    (relu, relu6, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, silu,
    tanh), add and mul with broadcasting, reshape and flatten, and the
    channel moves (channel_shuffle, slice, concat), in double precision,
    rounded to the element type. Parameters that become unused are removed;
    convolutions, pooling and dense layers on constants are left to run.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

#endif // CNNC_PASSES_TD

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

#endif // CNNC_PASSES_TD

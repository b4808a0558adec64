//===- Passes.td - cnn graph and fusion passes -------------*- tablegen -*-===//

#ifndef CNNC_PASSES_TD
#define CNNC_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNPrintStats : Pass<"cnn-print-stats", "mlir::func::FuncOp"> {
  let summary = "Print op counts, convolution variants and MACs of each function";
  let description = [{
    Reports, for each function, how many ops of each `cnn` kind it holds, how
    its convolutions split into standard, pointwise, depthwise, grouped and
    dilated ones, and the multiply-accumulates of its convolutions and dense
    layers. The IR is left unchanged; the report goes to stderr, for a quick
    look at a model and for FLOP counts in benchmark tables.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

#endif // CNNC_PASSES_TD

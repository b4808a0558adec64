//===- ModelGraph.h - a picture of the model --------------------*- C++ -*-===//
//
// The model as a Graphviz graph (cnnc --emit=dot, --emit=svg): one node per
// cnn op with its kind, geometry, layer name and result shape; the inputs
// and outputs by name; each cnn.fused op a cluster around the ops of its
// chain, labeled with its number and kind as the fusion report numbers
// them. Parameters are not drawn. docs/model-graph.md describes it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_MODELGRAPH_H
#define CNNC_COMPILER_MODELGRAPH_H

#include "cnnc/Target/CPU/CInterface.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Writes the model function of `module` (cnn ops, fused or not) as a
/// Graphviz digraph; `signature` names its inputs and outputs.
void printModelGraph(mlir::ModuleOp module, const ModelSignature &signature,
                     llvm::raw_ostream &os);

/// Renders Graphviz `dot` text as SVG with the `dot` program into `path`
/// ("-": stdout). An error says so when Graphviz is not installed.
llvm::Error renderSVG(llvm::StringRef dot, llvm::StringRef path);

} // namespace cnnc

#endif // CNNC_COMPILER_MODELGRAPH_H

//===- FusionChains.h - what the fusion passes may chain --------*- C++ -*-===//
//
// The predicates and the driver that cnnc's fusion passes share, and that a
// plugin's fusion pass uses too (link cnnc::CNNCPasses).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_PASSES_FUSIONCHAINS_H
#define CNNC_PASSES_FUSIONCHAINS_H

#include "cnnc/Dialect/CNNOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace cnnc::fusion {

/// Whether `op` may be applied to `value` element by element inside the
/// loop nest that produces `value`: an activation (ActivationOpInterface) or
/// prelu, or (when
/// `binaryOps`) an add or mul whose other operand broadcasts to `value`'s
/// shape without changing it.
bool isEpilogueOp(mlir::Operation *op, mlir::Value value, bool binaryOps);

/// The longest chain of epilogue ops after `value`: each link is the only
/// user of the previous value, in the same block.
llvm::SmallVector<mlir::Operation *> collectEpilogue(mlir::Value value,
                                                     bool binaryOps);

/// The convolution that produces `value` through single-use
/// activations in the same block (collected into `activations`, in program
/// order), if its result has no other user; null otherwise.
cnnc::cnn::Conv2DOp producerThroughActivations(
    mlir::Value value, llvm::SmallVectorImpl<mlir::Operation *> &activations);

/// The convolution that produces a value through element-wise links (its
/// activations, and batch norms not yet folded), traced whatever the links'
/// other users: what a matcher needs to name a candidate and say why it
/// cannot fuse it.
struct Producer {
  /// Null when no convolution produces the value that way (in one block).
  cnnc::cnn::Conv2DOp conv;
  /// The links from the convolution to the value, in program order.
  llvm::SmallVector<mlir::Operation *> links;
  /// The op nearest the convolution (the convolution itself included) whose
  /// result has a user besides the next link; null if none. The traced
  /// value's own users are the caller's to judge.
  mlir::Operation *sharedResult = nullptr;
  /// A cnn.batch_norm among the links, if any.
  mlir::Operation *batchNorm = nullptr;
};
Producer traceProducer(mlir::Value value);

/// The first op of the chain of the cnn.fused op that produces `value` in
/// its block, when it is a convolution, and the value that the fused op
/// passes that convolution as its input; a null convolution otherwise. A
/// later fusion's candidate whose convolution an earlier fusion took.
std::pair<cnnc::cnn::Conv2DOp, mlir::Value>
convolutionFusedBefore(mlir::Value value);

/// "cnn.relu6 (features.3.conv.1.2)": an op in a rejection's words, with
/// its layer's name when its location has one.
std::string describeOp(mlir::Operation *op);

/// Whether every tile of rows of `conv`'s output reads at least one row of
/// its input: the top and bottom padding are within the kernel's reach.
bool tilesReadInputRows(cnnc::cnn::Conv2DOp conv);

/// Applies a fusion pass's patterns to the ops that exist when it starts,
/// each at most once: the fused ops a pattern creates are not matched again
/// (so a chain is never fused into a fused op of its own kind).
mlir::LogicalResult fuseExistingOps(mlir::Operation *root,
                                    mlir::RewritePatternSet &&patterns);

/// Whether `op` is not already inside a fused op.
bool isUnfused(mlir::Operation *op);

} // namespace cnnc::fusion

#endif // CNNC_PASSES_FUSIONCHAINS_H

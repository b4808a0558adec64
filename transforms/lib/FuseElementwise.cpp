//===- FuseElementwise.cpp - element-wise generics merged into one --------===//
//
// The cnn lowering gives each element-wise op its own linalg.generic: a pass
// over the whole feature map each. Upstream's element-wise fusion merges a
// producer generic into its consumer; cnnc restricts it to plain
// element-wise chains (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEELEMENTWISE
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Whether `op` is a generic that may take part in a merge: all loops
/// parallel, and no role in a convolution's code (its epilogue, or a
/// reduction the convolution kernel absorbs).
bool isPlainElementwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic)
    return false;
  auto *cnncDialect = op->getContext()->getLoadedDialect<cnnc::CnncDialect>();
  return generic.getNumLoops() == generic.getNumParallelLoops() &&
         !cnncDialect->getEpilogueAttrHelper().isAttrPresent(generic) &&
         !cnncDialect->getChannelSumAttrHelper().isAttrPresent(generic);
}

/// Whether `operand` of an element-wise consumer is worth merging its
/// producer into.
bool shouldMerge(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  if (!isPlainElementwise(producer) ||
      !isPlainElementwise(operand->getOwner()) || !operand->get().hasOneUse())
    return false;
  // A producer the consumer broadcasts (an SE gate on [N, C, 1, 1] read at
  // every pixel) would be recomputed at every element.
  auto consumer = cast<linalg::GenericOp>(operand->getOwner());
  return consumer.getMatchingIndexingMap(operand).isPermutation();
}

/// Upstream's producer-into-consumer fusion, alone: the other patterns of
/// populateElementwiseOpsFusionPatterns (constant folding into generics,
/// dead-operand cleanup) would rebuild any generic, cnnc's marked ones too,
/// and drop their markers.
struct MergeElementwiseProducer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      if (!linalg::areElementwiseOpsFusable(&operand) || !shouldMerge(&operand))
        continue;
      Operation *producer = operand.get().getDefiningOp();
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        return rewriter.notifyMatchFailure(consumer, "fusion failed");
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
          return use.get().getDefiningOp() != producer;
        });
      rewriter.eraseOp(consumer);
      return success();
    }
    return rewriter.notifyMatchFailure(consumer, "no producer to merge");
  }
};

struct CNNFuseElementwisePass
    : cnnc::impl::CNNFuseElementwiseBase<CNNFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeElementwiseProducer>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

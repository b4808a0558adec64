//===- FuseDepthwisePointwise.cpp - depthwise-separable chains ------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEDEPTHWISEPOINTWISE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

struct FuseDepthwisePointwise : OpRewritePattern<Conv2DOp> {
  FuseDepthwisePointwise(MLIRContext *context, int64_t tileBytes)
      : OpRewritePattern(context), tileBytes(tileBytes) {}

  LogicalResult matchAndRewrite(Conv2DOp pointwise,
                                PatternRewriter &rewriter) const override {
    if (!cnnc::fusion::isUnfused(pointwise))
      return rewriter.notifyMatchFailure(pointwise, "already fused");
    if (!pointwise.isPointwise() ||
        llvm::any_of(pointwise.getStrides(), [](int64_t s) { return s != 1; }))
      return rewriter.notifyMatchFailure(pointwise, "not a 1x1 stride-1 conv");
    SmallVector<Operation *> activations;
    Conv2DOp depthwise = cnnc::fusion::producerThroughActivations(
        pointwise.getInput(), activations);
    if (!depthwise || !cnnc::fusion::isUnfused(depthwise))
      return rewriter.notifyMatchFailure(pointwise, "no depthwise producer");
    if (!depthwise.isDepthwise() || depthwise.getChannelMultiplier() != 1)
      return rewriter.notifyMatchFailure(
          pointwise, "the producer is not depthwise with multiplier 1");
    if (!cnnc::fusion::tilesReadInputRows(depthwise))
      return rewriter.notifyMatchFailure(pointwise,
                                         "padding beyond the kernel");

    SmallVector<Operation *> chain = {depthwise};
    llvm::append_range(chain, activations);
    chain.push_back(pointwise);
    llvm::append_range(chain, cnnc::fusion::collectEpilogue(
                                  pointwise.getResult(), /*binaryOps=*/true));

    // Whole output rows of the depthwise result per tile, within the budget.
    RankedTensorType middle = depthwise.getType();
    int64_t rowBytes = middle.getDimSize(0) * middle.getDimSize(1) *
                       middle.getDimSize(3) * middle.getElementTypeBitWidth() /
                       8;
    int64_t rows = std::clamp<int64_t>(
        tileBytes / std::max<int64_t>(rowBytes, 1), 1, middle.getDimSize(2));
    FusedOp fused =
        FusedOp::fuseChain(rewriter, FusionKind::DepthwisePointwise, chain);
    fused.setTileRowsAttr(rewriter.getI64IntegerAttr(rows));
    return success();
  }

  int64_t tileBytes;
};

struct CNNFuseDepthwisePointwisePass
    : cnnc::impl::CNNFuseDepthwisePointwiseBase<CNNFuseDepthwisePointwisePass> {
  using CNNFuseDepthwisePointwiseBase::CNNFuseDepthwisePointwiseBase;

  void runOnOperation() override {
    if (tileBytes <= 0) {
      getOperation().emitError("cnn-fuse-depthwise-pointwise: tile-bytes must "
                               "be positive, got ")
          << static_cast<int64_t>(tileBytes);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDepthwisePointwise>(&getContext(), tileBytes);
    if (failed(
            cnnc::fusion::fuseExistingOps(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

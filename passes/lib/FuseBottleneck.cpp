//===- FuseBottleneck.cpp - 1x1 -> KxK -> 1x1 chains into row tiles -------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEBOTTLENECK
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

bool isUnitStridePointwise(Conv2DOp conv) {
  return conv.isPointwise() &&
         llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; });
}

struct FuseBottleneck : OpRewritePattern<Conv2DOp> {
  FuseBottleneck(MLIRContext *context, int64_t tileBytes, bool denseMiddle)
      : OpRewritePattern(context), tileBytes(tileBytes),
        denseMiddle(denseMiddle) {}

  LogicalResult matchAndRewrite(Conv2DOp project,
                                PatternRewriter &rewriter) const override {
    if (!cnnc::fusion::isUnfused(project) || !isUnitStridePointwise(project))
      return rewriter.notifyMatchFailure(project, "not a 1x1 projection");
    SmallVector<Operation *> afterMiddle, afterExpand;
    auto middle = cnnc::fusion::producerThroughActivations(project.getInput(),
                                                           afterMiddle);
    bool depthwise =
        middle && middle.isDepthwise() && middle.getChannelMultiplier() == 1;
    bool dense = middle && middle.getNumGroups() == 1;
    if (!middle || !cnnc::fusion::isUnfused(middle) ||
        !(depthwise || (denseMiddle && dense)))
      return rewriter.notifyMatchFailure(
          project, "no depthwise (or, with dense-middle, one-group) "
                   "convolution before it");
    auto expand = cnnc::fusion::producerThroughActivations(middle.getInput(),
                                                           afterExpand);
    if (!expand || !cnnc::fusion::isUnfused(expand) ||
        !isUnitStridePointwise(expand))
      return rewriter.notifyMatchFailure(project, "no 1x1 expansion first");
    if (!cnnc::fusion::tilesReadInputRows(middle))
      return rewriter.notifyMatchFailure(project, "padding beyond the kernel");

    SmallVector<Operation *> chain = {expand};
    llvm::append_range(chain, afterExpand);
    chain.push_back(middle);
    llvm::append_range(chain, afterMiddle);
    chain.push_back(project);
    llvm::append_range(chain, cnnc::fusion::collectEpilogue(
                                  project.getResult(), /*binaryOps=*/true));

    // Output rows per tile: the expanded rows they need fit tileBytes.
    RankedTensorType expanded = expand.getType();
    int64_t rowBytes = expanded.getDimSize(0) * expanded.getDimSize(1) *
                       expanded.getDimSize(3) *
                       expanded.getElementTypeBitWidth() / 8;
    int64_t inRows = tileBytes / std::max<int64_t>(rowBytes, 1);
    int64_t stride = middle.getStrides()[0];
    int64_t reach = (middle.getKernelHeight() - 1) * middle.getDilations()[0];
    int64_t rows = std::clamp<int64_t>((inRows - reach - 1) / stride + 1, 1,
                                       middle.getType().getDimSize(2));
    FusedOp fused = FusedOp::fuseChain(rewriter, FusionKind::Bottleneck, chain);
    fused.setTileRowsAttr(rewriter.getI64IntegerAttr(rows));
    return success();
  }

  int64_t tileBytes;
  bool denseMiddle;
};

struct CNNFuseBottleneckPass
    : cnnc::impl::CNNFuseBottleneckBase<CNNFuseBottleneckPass> {
  using CNNFuseBottleneckBase::CNNFuseBottleneckBase;

  void runOnOperation() override {
    if (tileBytes <= 0) {
      getOperation().emitError(
          "cnn-fuse-bottleneck: tile-bytes must be positive, got ")
          << static_cast<int64_t>(tileBytes);
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBottleneck>(&getContext(), tileBytes, denseMiddle);
    if (failed(
            cnnc::fusion::fuseExistingOps(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===- FuseEpilogue.cpp - element-wise ops into the convolution -----------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEEPILOGUE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

struct FuseConvEpilogue : OpRewritePattern<Conv2DOp> {
  FuseConvEpilogue(MLIRContext *context, bool binaryOps)
      : OpRewritePattern(context), binaryOps(binaryOps) {}

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    if (!cnnc::fusion::isUnfused(conv))
      return rewriter.notifyMatchFailure(conv, "already fused");
    SmallVector<Operation *> chain =
        cnnc::fusion::collectEpilogue(conv.getResult(), binaryOps);
    if (chain.empty())
      return rewriter.notifyMatchFailure(conv, "no element-wise op follows");
    chain.insert(chain.begin(), conv);
    FusedOp::fuseChain(rewriter, FusionKind::ConvEpilogue, chain);
    return success();
  }

  bool binaryOps;
};

struct CNNFuseEpiloguePass
    : cnnc::impl::CNNFuseEpilogueBase<CNNFuseEpiloguePass> {
  using CNNFuseEpilogueBase::CNNFuseEpilogueBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseConvEpilogue>(&getContext(), binaryOps);
    if (failed(
            cnnc::fusion::fuseExistingOps(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

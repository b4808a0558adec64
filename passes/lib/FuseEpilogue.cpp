//===- FuseEpilogue.cpp - element-wise ops into the convolution -----------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/FusionRejections.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEEPILOGUE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;
using cnnc::fusion::Match;

namespace {

/// Why `user`, the one user of `conv`'s result, starts no epilogue; none
/// when it is not an element-wise op at all (a pool, another convolution).
Match explainUser(Conv2DOp conv, Operation *user, bool binaryOps) {
  Value result = conv.getResult();
  Operation *candidate[] = {conv, user};
  if (isa<BatchNormOp>(user))
    return Match::reject(FusionRejectReason::UnsupportedOp,
                         "cnn.batch_norm is not folded into the convolution "
                         "(cnn-fold-batch-norm folds it, before fusion in "
                         "cnnc's pipeline)",
                         candidate);
  if (isa<AddOp, MulOp>(user)) {
    StringRef op = user->getName().stripDialect();
    if (!binaryOps)
      return Match::reject(FusionRejectReason::CostRule,
                           "binary-ops=false leaves add and mul out",
                           candidate);
    if (user->getOperand(0) == user->getOperand(1))
      return Match::reject(FusionRejectReason::Shape,
                           "the " + op + " takes the result twice", candidate);
    auto from = cast<RankedTensorType>(result.getType());
    auto to = cast<RankedTensorType>(user->getResult(0).getType());
    return Match::reject(
        FusionRejectReason::Shape,
        fmt::format("the {} broadcasts the result from [{}] to [{}]", op.str(),
                    fmt::join(from.getShape(), ", "),
                    fmt::join(to.getShape(), ", ")),
        candidate);
  }
  if (isa<PReluOp>(user))
    return Match::reject(FusionRejectReason::Shape,
                         "the result is the prelu's slope, not its input",
                         candidate);
  return Match::none();
}

/// The convolution and the element-wise chain after it.
Match matchEpilogue(Conv2DOp conv, bool binaryOps) {
  if (!cnnc::fusion::isUnfused(conv))
    return Match::none();
  Value result = conv.getResult();
  SmallVector<Operation *> chain =
      cnnc::fusion::collectEpilogue(result, binaryOps);
  if (!chain.empty()) {
    chain.insert(chain.begin(), conv);
    return Match::fuse(std::move(chain));
  }
  if (result.use_empty())
    return Match::none();
  if (!result.hasOneUse()) {
    // A candidate only if an element-wise op is among the users.
    for (Operation *user : result.getUsers())
      if (user->getBlock() == conv->getBlock() &&
          cnnc::fusion::isEpilogueOp(user, result, binaryOps)) {
        Operation *candidate[] = {conv, user};
        return Match::reject(
            FusionRejectReason::MultiUse,
            fmt::format("the convolution's result has {} users",
                        std::distance(result.use_begin(), result.use_end())),
            candidate);
      }
    return Match::none();
  }
  Operation *user = *result.getUsers().begin();
  if (user->getBlock() != conv->getBlock())
    return Match::none();
  return explainUser(conv, user, binaryOps);
}

struct FuseConvEpilogue : OpRewritePattern<Conv2DOp> {
  FuseConvEpilogue(MLIRContext *context, bool binaryOps)
      : OpRewritePattern(context), binaryOps(binaryOps) {}

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    Match match = matchEpilogue(conv, binaryOps);
    if (!match.fuses())
      return match.notifyFailure(rewriter, conv);
    FusedOp::fuseChain(rewriter, FusionKind::ConvEpilogue, match.getChain());
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
      return signalPassFailure();
    cnnc::fusion::recordRejections(
        getOperation(), getArgument(), "conv_epilogue", [&](Operation *op) {
          auto conv = dyn_cast<Conv2DOp>(op);
          return conv ? matchEpilogue(conv, binaryOps) : Match::none();
        });
  }
};

} // namespace

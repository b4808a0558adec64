//===- FuseDepthwisePointwise.cpp - depthwise-separable chains ------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/FusionRejections.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEDEPTHWISEPOINTWISE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;
using cnnc::fusion::Match;

namespace {

/// A depthwise convolution, its activations and the pointwise convolution
/// that consumes them, with the pointwise convolution's epilogue.
Match matchDepthwisePointwise(Conv2DOp pointwise) {
  if (!cnnc::fusion::isUnfused(pointwise) || !pointwise.isPointwise())
    return Match::none();
  Value input = pointwise.getInput();
  cnnc::fusion::Producer producer = cnnc::fusion::traceProducer(input);
  Conv2DOp depthwise = producer.conv;
  if (!depthwise) {
    // A depthwise convolution that an earlier fusion took.
    auto [taken, takenInput] = cnnc::fusion::convolutionFusedBefore(input);
    if (!taken || !taken.isDepthwise())
      return Match::none();
    Operation *candidate[] = {taken, pointwise};
    return Match::reject(
        FusionRejectReason::Taken,
        fmt::format("the depthwise convolution is already in a {} chain, "
                    "which an earlier pass fused",
                    taken->getParentOfType<FusedOp>().getKindName().str()),
        candidate);
  }
  if (!cnnc::fusion::isUnfused(depthwise) || !depthwise.isDepthwise())
    return Match::none();

  SmallVector<Operation *> chain = {depthwise};
  llvm::append_range(chain, producer.links);
  chain.push_back(pointwise);
  if (std::optional<Match> rejection =
          cnnc::fusion::rejectLinks({{input, &producer}}, chain))
    return *rejection;
  ArrayRef<int64_t> strides = pointwise.getStrides();
  if (llvm::any_of(strides, [](int64_t s) { return s != 1; }))
    return Match::reject(FusionRejectReason::Shape,
                         fmt::format("the pointwise convolution has stride "
                                     "[{}]: the fused kernel takes stride 1",
                                     fmt::join(strides, ", ")),
                         chain);
  if (depthwise.getChannelMultiplier() != 1)
    return Match::reject(
        FusionRejectReason::Shape,
        fmt::format("the depthwise convolution has channel multiplier {}: "
                    "the fused kernel takes 1",
                    depthwise.getChannelMultiplier()),
        chain);
  if (!cnnc::fusion::tilesReadInputRows(depthwise))
    return Match::reject(FusionRejectReason::Shape,
                         "the depthwise convolution pads more rows than its "
                         "kernel reaches: a row tile would read no input",
                         chain);
  llvm::append_range(chain, cnnc::fusion::collectEpilogue(pointwise.getResult(),
                                                          /*binaryOps=*/true));
  return Match::fuse(std::move(chain));
}

struct FuseDepthwisePointwise : OpRewritePattern<Conv2DOp> {
  FuseDepthwisePointwise(MLIRContext *context, int64_t tileBytes)
      : OpRewritePattern(context), tileBytes(tileBytes) {}

  LogicalResult matchAndRewrite(Conv2DOp pointwise,
                                PatternRewriter &rewriter) const override {
    Match match = matchDepthwisePointwise(pointwise);
    if (!match.fuses())
      return match.notifyFailure(rewriter, pointwise);
    auto depthwise = cast<Conv2DOp>(match.getChain().front());

    // Whole output rows of the depthwise result per tile, within the budget.
    RankedTensorType middle = depthwise.getType();
    int64_t rowBytes = middle.getDimSize(0) * middle.getDimSize(1) *
                       middle.getDimSize(3) * middle.getElementTypeBitWidth() /
                       8;
    int64_t rows = std::clamp<int64_t>(
        tileBytes / std::max<int64_t>(rowBytes, 1), 1, middle.getDimSize(2));
    FusedOp fused = FusedOp::fuseChain(rewriter, FusionKind::DepthwisePointwise,
                                       match.getChain());
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
      return signalPassFailure();
    cnnc::fusion::recordRejections(getOperation(), getArgument(),
                                   "depthwise_pointwise", [](Operation *op) {
                                     auto conv = dyn_cast<Conv2DOp>(op);
                                     return conv ? matchDepthwisePointwise(conv)
                                                 : Match::none();
                                   });
  }
};

} // namespace

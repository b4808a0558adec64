//===- FuseBottleneck.cpp - 1x1 -> KxK -> 1x1 chains into row tiles -------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/FusionRejections.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSEBOTTLENECK
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;
using cnnc::fusion::Match;

namespace {

bool hasUnitStride(Conv2DOp conv) {
  return llvm::all_of(conv.getStrides(), [](int64_t s) { return s == 1; });
}

/// Why the candidate `chain` (expand, middle, project and the links
/// between) cannot fuse, if it cannot; the checks of a fusable bottleneck
/// in turn.
std::optional<Match> rejectBottleneck(ArrayRef<Operation *> chain,
                                      Conv2DOp expand, Conv2DOp middle,
                                      Conv2DOp project, bool denseMiddle) {
  using Reason = FusionRejectReason;
  auto reject = [&](Reason reason, const Twine &detail) {
    return Match::reject(reason, detail, chain);
  };
  if (!hasUnitStride(expand) || !hasUnitStride(project))
    return reject(
        Reason::Shape,
        fmt::format("the {} 1x1 convolution has stride [{}]: the "
                    "fused kernel takes stride 1 there",
                    hasUnitStride(expand) ? "projecting" : "expanding",
                    fmt::join(hasUnitStride(expand) ? project.getStrides()
                                                    : expand.getStrides(),
                              ", ")));
  bool depthwise = middle.isDepthwise();
  if (depthwise && middle.getChannelMultiplier() != 1)
    return reject(Reason::Shape,
                  fmt::format("the middle convolution is depthwise with "
                              "channel multiplier {}: the fused kernel takes 1",
                              middle.getChannelMultiplier()));
  if (!depthwise && middle.getNumGroups() != 1)
    return reject(Reason::Shape,
                  fmt::format("the middle convolution has {} groups: the "
                              "fused kernel takes a depthwise one or (with "
                              "dense-middle) one group",
                              middle.getNumGroups()));
  if (!depthwise && !denseMiddle)
    return reject(Reason::CostRule,
                  "the middle convolution has one group (ResNet's form), "
                  "which measured no faster fused on this machine: "
                  "cnn-fuse-bottleneck{dense-middle=true} fuses it");
  if (!cnnc::fusion::tilesReadInputRows(middle))
    return reject(Reason::Shape,
                  "the middle convolution pads more rows than its kernel "
                  "reaches: a row tile would read no input");
  return std::nullopt;
}

/// The unfused 1x1 expansion (and its links) that produces a middle
/// convolution's input; a null convolution if there is none.
cnnc::fusion::Producer traceExpansion(Value middleInput) {
  cnnc::fusion::Producer producer = cnnc::fusion::traceProducer(middleInput);
  if (!producer.conv || !cnnc::fusion::isUnfused(producer.conv) ||
      !producer.conv.isPointwise())
    return cnnc::fusion::Producer();
  return producer;
}

/// The expansion and its links, the middle convolution and its links, the
/// projection: a candidate's ops in program order.
SmallVector<Operation *>
bottleneckChain(const cnnc::fusion::Producer &afterExpand, Conv2DOp middle,
                ArrayRef<Operation *> middleLinks, Conv2DOp project) {
  SmallVector<Operation *> chain = {afterExpand.conv};
  llvm::append_range(chain, afterExpand.links);
  chain.push_back(middle);
  llvm::append_range(chain, middleLinks);
  chain.push_back(project);
  return chain;
}

/// A bottleneck whose middle convolution an earlier fusion took (a
/// squeeze-and-excitation block around the depthwise convolution of
/// MobileNetV3's and EfficientNet's inverted residuals); none if the
/// projection's input is not such a chain after a 1x1 expansion.
Match explainTakenMiddle(Conv2DOp project, bool denseMiddle) {
  auto [middle, middleInput] =
      cnnc::fusion::convolutionFusedBefore(project.getInput());
  if (!middle)
    return Match::none();
  cnnc::fusion::Producer afterExpand = traceExpansion(middleInput);
  Conv2DOp expand = afterExpand.conv;
  if (!expand)
    return Match::none();
  SmallVector<Operation *> chain =
      bottleneckChain(afterExpand, middle, {}, project);
  // A middle convolution this pass would not take anyway says so first.
  if (std::optional<Match> rejection =
          rejectBottleneck(chain, expand, middle, project, denseMiddle))
    return *rejection;
  return Match::reject(
      FusionRejectReason::Taken,
      fmt::format("the middle convolution is already in a {} chain, which "
                  "an earlier pass fused",
                  middle->getParentOfType<FusedOp>().getKindName().str()),
      chain);
}

/// A 1x1 expansion, its activations, a depthwise (or one-group) middle
/// convolution, its activations, and a 1x1 projection with its epilogue.
Match matchBottleneck(Conv2DOp project, bool denseMiddle) {
  if (!cnnc::fusion::isUnfused(project) || !project.isPointwise())
    return Match::none();
  cnnc::fusion::Producer afterMiddle =
      cnnc::fusion::traceProducer(project.getInput());
  Conv2DOp middle = afterMiddle.conv;
  if (!middle)
    return explainTakenMiddle(project, denseMiddle);
  if (!cnnc::fusion::isUnfused(middle))
    return Match::none();
  cnnc::fusion::Producer afterExpand = traceExpansion(middle.getInput());
  Conv2DOp expand = afterExpand.conv;
  if (!expand)
    return Match::none();

  SmallVector<Operation *> chain =
      bottleneckChain(afterExpand, middle, afterMiddle.links, project);
  if (std::optional<Match> rejection =
          cnnc::fusion::rejectLinks({{middle.getInput(), &afterExpand},
                                     {project.getInput(), &afterMiddle}},
                                    chain))
    return *rejection;
  if (std::optional<Match> rejection =
          rejectBottleneck(chain, expand, middle, project, denseMiddle))
    return *rejection;
  llvm::append_range(chain, cnnc::fusion::collectEpilogue(project.getResult(),
                                                          /*binaryOps=*/true));
  return Match::fuse(std::move(chain));
}

struct FuseBottleneck : OpRewritePattern<Conv2DOp> {
  FuseBottleneck(MLIRContext *context, int64_t tileBytes, bool denseMiddle)
      : OpRewritePattern(context), tileBytes(tileBytes),
        denseMiddle(denseMiddle) {}

  LogicalResult matchAndRewrite(Conv2DOp project,
                                PatternRewriter &rewriter) const override {
    Match match = matchBottleneck(project, denseMiddle);
    if (!match.fuses())
      return match.notifyFailure(rewriter, project);
    auto expand = cast<Conv2DOp>(match.getChain().front());
    Conv2DOp middle = cnnc::fusion::traceProducer(project.getInput()).conv;

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
    FusedOp fused =
        FusedOp::fuseChain(rewriter, FusionKind::Bottleneck, match.getChain());
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
      return signalPassFailure();
    cnnc::fusion::recordRejections(
        getOperation(), getArgument(), "bottleneck", [&](Operation *op) {
          auto conv = dyn_cast<Conv2DOp>(op);
          return conv ? matchBottleneck(conv, denseMiddle) : Match::none();
        });
  }
};

} // namespace

//===- FoldChannelShuffle.cpp - channel shuffles as channel indexing ------===//

#include "WeightValues.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFOLDCHANNELSHUFFLE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// channel_shuffle(concat(x_1..x_g), g) -> concat x_1..x_g interleave.
struct ShuffleOfConcat : OpRewritePattern<ChannelShuffleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ChannelShuffleOp shuffle,
                                PatternRewriter &rewriter) const override {
    auto concat = shuffle.getInput().getDefiningOp<ConcatOp>();
    if (!concat || concat.getInterleave() || !concat->hasOneUse())
      return rewriter.notifyMatchFailure(shuffle, "not of a single-use concat");
    ValueRange inputs = concat.getInputs();
    if (static_cast<int64_t>(inputs.size()) != shuffle.getGroups())
      return rewriter.notifyMatchFailure(shuffle, "groups != concat inputs");
    int64_t channels =
        cast<RankedTensorType>(inputs[0].getType()).getDimSize(1);
    if (llvm::any_of(inputs, [&](Value input) {
          return cast<RankedTensorType>(input.getType()).getDimSize(1) !=
                 channels;
        }))
      return rewriter.notifyMatchFailure(shuffle, "unequal channel counts");
    rewriter.replaceOpWithNewOp<ConcatOp>(shuffle, shuffle.getType(), inputs,
                                          /*interleave=*/true);
    rewriter.eraseOp(concat);
    return success();
  }
};

/// channel_shuffle(act(y)) -> act(channel_shuffle(y)): moves the shuffle to
/// the producer, where it may fold.
struct ShuffleOfActivation : OpRewritePattern<ChannelShuffleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ChannelShuffleOp shuffle,
                                PatternRewriter &rewriter) const override {
    Operation *activation = shuffle.getInput().getDefiningOp();
    if (!activation || !isa<ActivationOpInterface>(activation) ||
        !activation->hasOneUse())
      return rewriter.notifyMatchFailure(shuffle, "not of an activation");
    Value inner = rewriter.create<ChannelShuffleOp>(
        shuffle.getLoc(), activation->getOperand(0), shuffle.getGroups());
    Operation *moved = rewriter.clone(*activation);
    moved->setOperand(0, inner);
    rewriter.replaceOp(shuffle, moved->getResults());
    rewriter.eraseOp(activation);
    return success();
  }
};

/// channel_shuffle(conv2d(x) with g groups, g) -> the interleaved concat of
/// one convolution per group.
struct ShuffleOfGroupedConv : OpRewritePattern<ChannelShuffleOp> {
  ShuffleOfGroupedConv(MLIRContext *context, int64_t maxGroups)
      : OpRewritePattern(context), maxGroups(maxGroups) {}

  LogicalResult matchAndRewrite(ChannelShuffleOp shuffle,
                                PatternRewriter &rewriter) const override {
    auto conv = shuffle.getInput().getDefiningOp<Conv2DOp>();
    int64_t groups = shuffle.getGroups();
    if (!conv || !conv->hasOneUse() || conv.getNumGroups() != groups ||
        groups < 2 || groups > maxGroups || conv.isDepthwise())
      return rewriter.notifyMatchFailure(
          shuffle, "not of a single-use grouped conv with as many groups");
    std::optional<std::vector<double>> filter =
        cnnc::readWeight(conv.getFilter());
    std::optional<std::vector<double>> bias;
    if (conv.getBias()) {
      bias = cnnc::readWeight(conv.getBias());
      if (!bias)
        return rewriter.notifyMatchFailure(shuffle, "bias without values");
    }
    if (!filter)
      return rewriter.notifyMatchFailure(shuffle, "filter without values");

    RankedTensorType filterType = conv.getFilter().getType();
    int64_t outPerGroup = filterType.getDimSize(0) / groups;
    int64_t inPerGroup = filterType.getDimSize(1);
    int64_t filterBlock = outPerGroup * inPerGroup * filterType.getDimSize(2) *
                          filterType.getDimSize(3);
    StringRef filterName = conv.getFilter().getDefiningOp<WeightOp>().getName();
    SmallVector<Value> parts;
    Location loc = conv.getLoc();
    for (int64_t g = 0; g < groups; ++g) {
      Value input = rewriter.create<SliceOp>(loc, conv.getInput(),
                                             g * inPerGroup, inPerGroup);
      auto partFilterType = RankedTensorType::get({outPerGroup, inPerGroup,
                                                   filterType.getDimSize(2),
                                                   filterType.getDimSize(3)},
                                                  filterType.getElementType());
      Value partFilter = cnnc::makeWeight(
          rewriter, loc, (filterName + "[group " + Twine(g) + "]").str(),
          partFilterType,
          ArrayRef<double>(*filter).slice(g * filterBlock, filterBlock));
      Value partBias;
      if (bias) {
        StringRef biasName = conv.getBias().getDefiningOp<WeightOp>().getName();
        partBias = cnnc::makeWeight(
            rewriter, loc, (biasName + "[group " + Twine(g) + "]").str(),
            RankedTensorType::get({outPerGroup}, filterType.getElementType()),
            ArrayRef<double>(*bias).slice(g * outPerGroup, outPerGroup));
      }
      parts.push_back(rewriter.create<Conv2DOp>(
          loc, input, partFilter, partBias, conv.getStridesAttr(),
          conv.getPaddingAttr(), conv.getDilationsAttr(),
          /*groups=*/IntegerAttr()));
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(shuffle, shuffle.getType(), parts,
                                          /*interleave=*/true);
    rewriter.eraseOp(conv);
    return success();
  }

  int64_t maxGroups;
};

/// conv2d(channel_shuffle(x, g), W) with one group -> conv2d(x, W') where
/// W' has W's input channels permuted: the shuffle becomes a compile-time
/// permutation of the weights. Every user of the shuffle must be such a
/// convolution (reading the shuffle as its input, with a valued filter).
struct ShuffleIntoConsumerWeights : OpRewritePattern<ChannelShuffleOp> {
  ShuffleIntoConsumerWeights(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(ChannelShuffleOp shuffle,
                                PatternRewriter &rewriter) const override {
    if (shuffle.getResult().use_empty())
      return rewriter.notifyMatchFailure(shuffle, "no users");
    SmallVector<std::pair<Conv2DOp, std::vector<double>>> consumers;
    for (OpOperand &use : shuffle.getResult().getUses()) {
      auto conv = dyn_cast<Conv2DOp>(use.getOwner());
      if (!conv || use.getOperandNumber() != 0 || conv.getNumGroups() != 1)
        return rewriter.notifyMatchFailure(
            shuffle, "a user is not a one-group convolution of it");
      std::optional<std::vector<double>> filter =
          cnnc::readWeight(conv.getFilter());
      if (!filter)
        return rewriter.notifyMatchFailure(shuffle, "filter without values");
      consumers.push_back({conv, std::move(*filter)});
    }
    int64_t channels = shuffle.getType().getDimSize(1);
    int64_t groups = shuffle.getGroups();
    int64_t perGroup = channels / groups;
    for (auto &[conv, filter] : consumers) {
      RankedTensorType filterType = conv.getFilter().getType();
      int64_t outChannels = filterType.getDimSize(0);
      int64_t taps = filterType.getDimSize(2) * filterType.getDimSize(3);
      // Shuffled channel k * g + i is input channel i * (C / g) + k: the
      // filter column that read the former now reads the latter.
      std::vector<double> permuted(filter.size());
      for (int64_t o = 0; o < outChannels; ++o)
        for (int64_t k = 0; k < perGroup; ++k)
          for (int64_t i = 0; i < groups; ++i) {
            int64_t shuffled = k * groups + i, source = i * perGroup + k;
            std::copy_n(&filter[(o * channels + shuffled) * taps], taps,
                        &permuted[(o * channels + source) * taps]);
          }
      StringRef name = conv.getFilter().getDefiningOp<WeightOp>().getName();
      rewriter.setInsertionPoint(conv);
      Value newFilter = cnnc::makeWeight(
          rewriter, conv.getLoc(),
          (name + "[input shuffled by " + Twine(groups) + "]").str(),
          filterType, permuted);
      rewriter.modifyOpInPlace(conv, [&, &conv = conv] {
        conv.getInputMutable().assign(shuffle.getInput());
        conv.getFilterMutable().assign(newFilter);
      });
    }
    rewriter.eraseOp(shuffle);
    return success();
  }
};

/// act(concat(x_1..x_n)) -> concat(act(x_1)..act(x_n)).
struct ActivationOfConcat : RewritePattern {
  ActivationOfConcat(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *activation,
                                PatternRewriter &rewriter) const override {
    if (!isa<ActivationOpInterface>(activation))
      return failure();
    auto concat = activation->getOperand(0).getDefiningOp<ConcatOp>();
    if (!concat || !concat->hasOneUse())
      return rewriter.notifyMatchFailure(activation, "not of a concat");
    SmallVector<Value> parts;
    for (Value input : concat.getInputs()) {
      Operation *part = rewriter.clone(*activation);
      part->setOperand(0, input);
      part->getResult(0).setType(input.getType());
      parts.push_back(part->getResult(0));
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(activation,
                                          activation->getResultTypes()[0],
                                          parts, concat.getInterleave());
    rewriter.eraseOp(concat);
    return success();
  }
};

struct CNNFoldChannelShufflePass
    : cnnc::impl::CNNFoldChannelShuffleBase<CNNFoldChannelShufflePass> {
  using CNNFoldChannelShuffleBase::CNNFoldChannelShuffleBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ShuffleOfConcat, ShuffleOfActivation, ActivationOfConcat,
                 ShuffleIntoConsumerWeights>(&getContext());
    patterns.add<ShuffleOfGroupedConv>(&getContext(), maxGroups);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===- Folds.cpp - folds and canonicalization patterns of cnn ops ---------===//
//
// Only rewrites that are obviously right: each removes an op or merges two
// into one without changing any value.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/ShapeArithmetic.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::cnn;

//===----------------------------------------------------------------------===//
// channel_shuffle
//===----------------------------------------------------------------------===//

OpFoldResult ChannelShuffleOp::fold(FoldAdaptor) {
  // [1, C] and [C, 1] transposed and flattened are the same order.
  int64_t groups = static_cast<int64_t>(getGroups());
  // In a graph region an op may read its own result: never fold to that.
  if (getInput() == getResult())
    return {};
  if (groups == 1 || groups == getInput().getType().getDimSize(1))
    return getInput();
  return {};
}

namespace {
/// shuffle(shuffle(x, g1), g2) -> shuffle(x, g3), or x when they cancel.
struct ComposeChannelShuffles : OpRewritePattern<ChannelShuffleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ChannelShuffleOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<ChannelShuffleOp>();
    if (!inner || inner == outer || inner.getInput() == outer.getResult())
      return rewriter.notifyMatchFailure(outer, "input is not another shuffle");
    int64_t channels = outer.getInput().getType().getDimSize(1);
    std::optional<int64_t> groups = composeChannelShuffles(
        channels, static_cast<int64_t>(inner.getGroups()),
        static_cast<int64_t>(outer.getGroups()));
    if (!groups)
      return rewriter.notifyMatchFailure(
          outer, "the composition is not a channel shuffle");
    if (*groups == 1) {
      rewriter.replaceOp(outer, inner.getInput());
      return success();
    }
    rewriter.replaceOpWithNewOp<ChannelShuffleOp>(outer, inner.getInput(),
                                                  *groups);
    return success();
  }
};
} // namespace

void ChannelShuffleOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                   MLIRContext *context) {
  results.add<ComposeChannelShuffles>(context);
}

//===----------------------------------------------------------------------===//
// concat and slice
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front() != getResult())
    return getInputs().front();
  return {};
}

namespace {
/// The concat operand holding channels [offset, offset + size), if one does,
/// and where they start inside it.
struct ConcatSource {
  Value operand;
  int64_t offsetInOperand;
};

std::optional<ConcatSource> findConcatSource(ConcatOp concat, int64_t offset,
                                             int64_t size) {
  // Interleaved inputs own no contiguous channel range (but one alone).
  if (concat.getInterleave() && concat.getInputs().size() > 1)
    return std::nullopt;
  int64_t begin = 0;
  for (Value operand : concat.getInputs()) {
    int64_t channels = cast<RankedTensorType>(operand.getType()).getDimSize(1);
    if (offset >= begin && offset + size <= begin + channels)
      return ConcatSource{operand, offset - begin};
    begin += channels;
  }
  return std::nullopt;
}
} // namespace

OpFoldResult SliceOp::fold(FoldAdaptor) {
  int64_t offset = static_cast<int64_t>(getOffset());
  int64_t size = static_cast<int64_t>(getSize());
  if (getInput() == getResult())
    return {};
  if (offset == 0 && size == getInput().getType().getDimSize(1))
    return getInput();
  // The channel split of ShuffleNet v2 often reads back one branch of a concat.
  if (auto concat = getInput().getDefiningOp<ConcatOp>()) {
    std::optional<ConcatSource> source = findConcatSource(concat, offset, size);
    if (source && source->offsetInOperand == 0 &&
        source->operand.getType() == getType())
      return source->operand;
  }
  return {};
}

namespace {
/// slice(concat(a, b, ...)) within one operand -> slice of that operand, and
/// slice(slice(x)) -> slice(x).
struct NarrowSliceSource : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SliceOp slice,
                                PatternRewriter &rewriter) const override {
    int64_t offset = static_cast<int64_t>(slice.getOffset());
    int64_t size = static_cast<int64_t>(slice.getSize());
    if (auto inner = slice.getInput().getDefiningOp<SliceOp>()) {
      if (inner == slice || inner.getInput() == slice.getResult())
        return rewriter.notifyMatchFailure(slice, "a cycle of slices");
      rewriter.replaceOpWithNewOp<SliceOp>(
          slice, inner.getInput(),
          static_cast<int64_t>(inner.getOffset()) + offset, size);
      return success();
    }
    auto concat = slice.getInput().getDefiningOp<ConcatOp>();
    if (!concat)
      return rewriter.notifyMatchFailure(slice, "input is no concat or slice");
    std::optional<ConcatSource> source = findConcatSource(concat, offset, size);
    if (!source)
      return rewriter.notifyMatchFailure(slice, "range spans several operands");
    rewriter.replaceOpWithNewOp<SliceOp>(slice, source->operand,
                                         source->offsetInOperand, size);
    return success();
  }
};
} // namespace

void SliceOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<NarrowSliceSource>(context);
}

//===----------------------------------------------------------------------===//
// flatten and reshape
//===----------------------------------------------------------------------===//

OpFoldResult FlattenOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getInput() != getResult())
    return getInput();
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput() == getResult())
    return {};
  if (getInput().getType() == getType())
    return getInput();
  // A reshape only depends on the row-major element order, which neither a
  // reshape nor a flatten changes: read their input directly (in place).
  Operation *producer = getInput().getDefiningOp();
  if (isa_and_nonnull<ReshapeOp, FlattenOp>(producer) &&
      producer->getOperand(0) != getResult()) {
    getInputMutable().assign(producer->getOperand(0));
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  // The identity permutation moves nothing.
  for (auto [index, dim] : llvm::enumerate(getPermutation()))
    if (dim != static_cast<int64_t>(index))
      return {};
  return getInput();
}

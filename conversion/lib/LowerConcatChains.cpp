//===- LowerConcatChains.cpp - one buffer for a growing concatenation -----===//
//
// A chain of concats in which each one's first operand is the one before
// (the form cnn-eliminate-concat gives DenseNet's dense blocks) is lowered
// into one tensor of the last concat's size: each new operand is inserted
// into it once, and each concat of the chain becomes a leading channel range
// of it. One-shot bufferization then updates that one buffer in place, and
// empty-tensor elimination lets each producer write its channels there
// directly. Lowered op by op, every concat of the chain would copy all
// earlier feature maps again.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/CnncDialect.h"

using namespace mlir;
namespace cnn = cnnc::cnn;

namespace {

/// The mark on the tensor.empty of a chain's buffer until it is placed.
cnnc::CnncDialect::ConcatChainBufferAttrHelper
chainBufferMark(MLIRContext *context) {
  return context->getLoadedDialect<cnnc::CnncDialect>()
      ->getConcatChainBufferAttrHelper();
}

/// The concat that extends `concat`: the only non-interleaved concat of the
/// same block with `concat` as its first operand.
cnn::ConcatOp extension(cnn::ConcatOp concat) {
  cnn::ConcatOp found;
  for (OpOperand &use : concat.getResult().getUses()) {
    auto user = dyn_cast<cnn::ConcatOp>(use.getOwner());
    if (!user || user.getInterleave() || use.getOperandNumber() != 0 ||
        user->getBlock() != concat->getBlock())
      continue;
    if (found)
      return {}; // Two ways to grow: neither is the chain.
    found = user;
  }
  return found;
}

/// Whether `concat` starts a chain: it is extended, and it extends nothing.
bool isChainStart(cnn::ConcatOp concat) {
  if (concat.getInterleave() || !extension(concat))
    return false;
  auto first = concat.getInputs().front().getDefiningOp<cnn::ConcatOp>();
  return !first || first.getInterleave() || extension(first) != concat;
}

void lowerChain(RewriterBase &rewriter, MutableArrayRef<cnn::ConcatOp> chain) {
  auto finalType = chain.back().getType();
  Block *block = chain.front()->getBlock();
  // Provisionally at the start of the block; placeConcatChainBuffers moves
  // it down once the operands' producers are lowered.
  rewriter.setInsertionPointToStart(block);
  Value buffer =
      cnnc::lowering::emptyTensor(rewriter, chain.front().getLoc(), finalType);
  chainBufferMark(rewriter.getContext())
      .setAttr(buffer.getDefiningOp(), rewriter.getUnitAttr());
  int64_t filled = 0;
  SmallVector<OpFoldResult> offsets, sizes, strides;
  auto setRange = [&](int64_t offset, int64_t channels) {
    offsets.clear();
    sizes.clear();
    strides.clear();
    for (int64_t dim = 0; dim < finalType.getRank(); ++dim) {
      offsets.push_back(rewriter.getIndexAttr(dim == 1 ? offset : 0));
      sizes.push_back(rewriter.getIndexAttr(
          dim == 1 ? channels : finalType.getDimSize(dim)));
      strides.push_back(rewriter.getIndexAttr(1));
    }
  };
  // Each operand is inserted right after it is computed (and after the
  // operand before it): the insert that follows a producer must exist
  // before the next producer starts, so that empty-tensor elimination can
  // give that producer a slice of the buffer as it stands then.
  Operation *lastInsert = buffer.getDefiningOp();
  for (auto [position, concat] : llvm::enumerate(chain)) {
    Location loc = concat.getLoc();
    ValueRange operands = concat.getInputs();
    if (position > 0)
      operands = operands.drop_front(); // the previous concat, already there
    for (Value operand : operands) {
      Operation *after = lastInsert;
      Operation *producer = operand.getDefiningOp();
      if (producer && producer->getBlock() == block &&
          after->isBeforeInBlock(producer))
        after = producer;
      rewriter.setInsertionPointAfter(after);
      int64_t channels =
          cast<RankedTensorType>(operand.getType()).getDimSize(1);
      setRange(filled, channels);
      buffer = rewriter.create<tensor::InsertSliceOp>(loc, operand, buffer,
                                                      offsets, sizes, strides);
      lastInsert = buffer.getDefiningOp();
      filled += channels;
    }
    rewriter.setInsertionPoint(concat);
    Value value = buffer;
    if (filled != finalType.getDimSize(1)) {
      setRange(0, filled);
      value = rewriter.create<tensor::ExtractSliceOp>(
          loc, concat.getType(), buffer, offsets, sizes, strides);
    }
    // The next concat of the chain reads the buffer, not this range of it.
    rewriter.replaceOp(concat, value);
  }
}

} // namespace

void cnnc::lowering::lowerConcatChains(ModuleOp module) {
  SmallVector<SmallVector<cnn::ConcatOp>> chains;
  module.walk([&](cnn::ConcatOp concat) {
    if (!isChainStart(concat))
      return;
    SmallVector<cnn::ConcatOp> &chain = chains.emplace_back();
    for (cnn::ConcatOp link = concat; link; link = extension(link))
      chain.push_back(link);
  });
  IRRewriter rewriter(module.getContext());
  for (MutableArrayRef<cnn::ConcatOp> chain : chains)
    lowerChain(rewriter, chain);
}

void cnnc::lowering::placeConcatChainBuffers(ModuleOp module) {
  auto mark = chainBufferMark(module.getContext());
  module.walk([&](tensor::EmptyOp buffer) {
    if (!mark.isAttrPresent(buffer))
      return;
    mark.removeAttr(buffer);
    // The buffer is live from its tensor.empty on. Its first user inserts
    // the chain's first operand; move the buffer down to where that
    // operand's own destination is created (following destination operands
    // back, as empty-tensor elimination does), the latest point from which
    // its producer can still be given a slice of the buffer.
    if (!buffer->hasOneUse())
      return;
    auto firstInsert = dyn_cast<tensor::InsertSliceOp>(*buffer->user_begin());
    if (!firstInsert)
      return;
    Value value = firstInsert.getSource();
    while (auto producer = value.getDefiningOp<DestinationStyleOpInterface>()) {
      if (producer.getNumDpsInits() != 1)
        return;
      value = producer.getDpsInitOperand(0)->get();
    }
    auto destination = value.getDefiningOp<tensor::EmptyOp>();
    if (destination && destination->getBlock() == buffer->getBlock() &&
        buffer->isBeforeInBlock(destination))
      buffer->moveBefore(destination);
  });
}

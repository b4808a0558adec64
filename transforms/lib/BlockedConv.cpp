//===- BlockedConv.cpp - the blocked convolution contract ----------------===//

#include "cnnc/Transforms/BlockedConv.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace cnnc::blocked {

unsigned ConvSpec::numLoops() const { return 5 + numReductions(); }

unsigned ConvSpec::numReductions() const {
  switch (form) {
  case ConvForm::Dense:
    return 4;
  case ConvForm::PlainInput:
  case ConvForm::LaneGroups:
    return 3;
  case ConvForm::Depthwise:
    return 2;
  }
  return 0;
}

BlockedConvAttr ConvSpec::toAttr(MLIRContext *context) const {
  return BlockedConvAttr::get(context, form, strides, dilations, groupInBlocks,
                              groupOutBlocks, groupInChannels, lanes, groupSize,
                              inChannels);
}

ConvSpec ConvSpec::fromAttr(BlockedConvAttr attr) {
  ConvSpec spec;
  spec.form = attr.getForm();
  spec.strides = {attr.getStrides()[0], attr.getStrides()[1]};
  spec.dilations = {attr.getDilations()[0], attr.getDilations()[1]};
  spec.groupInBlocks = attr.getGroupInBlocks();
  spec.groupOutBlocks = attr.getGroupOutBlocks();
  spec.groupInChannels = attr.getGroupInChannels();
  spec.lanes = attr.getLanes();
  spec.groupSize = attr.getGroupSize();
  spec.inChannels = attr.getInChannels();
  return spec;
}

std::optional<ConvSpec> ConvSpec::of(Operation *op) {
  auto *dialect = op->getContext()->getLoadedDialect<CnncDialect>();
  if (!dialect)
    return std::nullopt;
  BlockedConvAttr attr = dialect->getBlockedConvAttrHelper().getAttr(op);
  if (!attr)
    return std::nullopt;
  return fromAttr(attr);
}

void ConvSpec::mark(Operation *op) const {
  MLIRContext *context = op->getContext();
  context->getOrLoadDialect<CnncDialect>()->getBlockedConvAttrHelper().setAttr(
      op, toAttr(context));
}

SmallVector<AffineMap> ConvSpec::indexingMaps(MLIRContext *context) const {
  unsigned count = numLoops();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  // Parallel dimensions 0-4: n, output block, oh, ow, output lane.
  AffineExpr n = d(0), block = d(1), oh = d(2), ow = d(3), lane = d(4);
  // The first reduction dimension after the window's two.
  auto row = [&](AffineExpr kh) { return oh * strides[0] + kh * dilations[0]; };
  auto column = [&](AffineExpr kw) {
    return ow * strides[1] + kw * dilations[1];
  };
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(count, 0, results, context);
  };
  switch (form) {
  case ConvForm::Dense: {
    AffineExpr cb = d(5), kh = d(6), kw = d(7), ci = d(8);
    AffineExpr inBlock = cb;
    if (groupInBlocks > 0)
      inBlock =
          (block.floorDiv(groupOutBlocks) * groupInChannels).floorDiv(lanes) +
          cb;
    return {map({n, inBlock, row(kh), column(kw), ci}),
            map({block, cb, kh, kw, ci, lane}), map({n, block, oh, ow, lane})};
  }
  case ConvForm::PlainInput: {
    AffineExpr c = d(5), kh = d(6), kw = d(7);
    return {map({n, c, row(kh), column(kw)}), map({block, c, kh, kw, lane}),
            map({n, block, oh, ow, lane})};
  }
  case ConvForm::Depthwise: {
    AffineExpr kh = d(5), kw = d(6);
    return {map({n, block, row(kh), column(kw), lane}),
            map({block, kh, kw, lane}), map({n, block, oh, ow, lane})};
  }
  case ConvForm::LaneGroups: {
    AffineExpr kh = d(5), kw = d(6), j = d(7);
    AffineExpr inLane = lane.floorDiv(groupSize) * groupSize + j;
    return {map({n, block, row(kh), column(kw), inLane}),
            map({block, kh, kw, j, lane}), map({n, block, oh, ow, lane})};
  }
  }
  return {};
}

SmallVector<utils::IteratorType> ConvSpec::iteratorTypes() const {
  SmallVector<utils::IteratorType> types(5, utils::IteratorType::parallel);
  types.append(numReductions(), utils::IteratorType::reduction);
  return types;
}

/// Whether `generic`'s body is `out + in * filter` (in either order).
bool isMultiplyAccumulate(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value accumulator = body.getArgument(2);
  Value product = add.getLhs() == accumulator ? add.getRhs() : add.getLhs();
  if (add.getLhs() != accumulator && add.getRhs() != accumulator)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

} // namespace cnnc::blocked

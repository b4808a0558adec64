//===- LowerReorders.cpp - tensor.pack and tensor.unpack as generics ------===//
//
// The reorders that cnn-assign-layout leaves between NCHW and the blocked
// layout are tensor.pack / tensor.unpack ops, which one-shot bufferization
// cannot take. Each becomes a linalg.generic that states the reorder
// element by element and carries `cnnc.reorder` ("to_blocked" or
// "from_blocked") so that cnn-vectorize-blocked-convolutions can replace
// it by transposes of register tiles. A pack reads its source with
// tensor.extract (channels past the source's are zero); an unpack reads
// channel c at block c / L, lane c % L.
//
// (Upstream's lowering, a pad, a reshape and a linalg.transpose, copies the
// data twice and transposes it element by element.)
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/BlockedConv.h"
#include "cnnc/Transforms/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNLOWERREORDERS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

void markReorder(Operation *op, ReorderDirection direction) {
  MLIRContext *context = op->getContext();
  context->getOrLoadDialect<CnncDialect>()->getReorderAttrHelper().setAttr(
      op, ReorderAttr::get(context, direction));
}

bool isChannelReorder(ArrayRef<int64_t> innerDims, ArrayRef<int64_t> outerPerm,
                      int64_t rank) {
  return rank == 4 && innerDims.size() == 1 && innerDims[0] == 1 &&
         outerPerm.empty();
}

LogicalResult lowerPack(IRRewriter &rewriter, tensor::PackOp pack) {
  RankedTensorType source = pack.getSourceType();
  RankedTensorType dest = pack.getDestType();
  std::optional<int64_t> lanes = pack.getStaticTiles().empty()
                                     ? std::nullopt
                                     : std::optional(pack.getStaticTiles()[0]);
  if (!isChannelReorder(pack.getInnerDimsPos(), pack.getOuterDimsPerm(),
                        source.getRank()) ||
      !lanes || ShapedType::isDynamic(*lanes) || !source.hasStaticShape())
    return pack.emitOpError("is not a channel reorder of an NCHW tensor");
  Location loc = pack.getLoc();
  int64_t channels = source.getDimSize(1);
  Value input = pack.getSource();
  auto generic = rewriter.create<linalg::GenericOp>(
      loc, TypeRange{dest}, ValueRange{}, ValueRange{pack.getDest()},
      ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(5)},
      SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
      [&](OpBuilder &b, Location l, ValueRange) {
        auto index = [&](int64_t dim) {
          return b.create<linalg::IndexOp>(l, dim).getResult();
        };
        auto constant = [&](int64_t value) {
          return b.create<arith::ConstantIndexOp>(l, value).getResult();
        };
        Value channel = b.create<arith::AddIOp>(
            l, b.create<arith::MulIOp>(l, index(1), constant(*lanes)),
            index(4));
        Value valid = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::ult,
                                              channel, constant(channels));
        Value clamped =
            b.create<arith::MinUIOp>(l, channel, constant(channels - 1));
        Value value = b.create<tensor::ExtractOp>(
            l, input, ValueRange{index(0), clamped, index(2), index(3)});
        Value zero = b.create<arith::ConstantOp>(
            l, b.getFloatAttr(source.getElementType(), 0.0));
        b.create<linalg::YieldOp>(
            l, ValueRange{b.create<arith::SelectOp>(l, valid, value, zero)});
      });
  markReorder(generic, ReorderDirection::ToBlocked);
  rewriter.replaceOp(pack, generic.getResults());
  return success();
}

LogicalResult lowerUnpack(IRRewriter &rewriter, tensor::UnPackOp unpack) {
  RankedTensorType dest = unpack.getDestType();
  std::optional<int64_t> lanes =
      unpack.getStaticTiles().empty()
          ? std::nullopt
          : std::optional(unpack.getStaticTiles()[0]);
  if (!isChannelReorder(unpack.getInnerDimsPos(), unpack.getOuterDimsPerm(),
                        dest.getRank()) ||
      !lanes || ShapedType::isDynamic(*lanes) || !dest.hasStaticShape())
    return unpack.emitOpError("is not a channel reorder of an NCHW tensor");
  MLIRContext *context = unpack.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineMap read = AffineMap::get(
      4, 0, {d(0), d(1).floorDiv(*lanes), d(2), d(3), d(1) % *lanes}, context);
  auto generic = rewriter.create<linalg::GenericOp>(
      unpack.getLoc(), TypeRange{dest}, ValueRange{unpack.getSource()},
      ValueRange{unpack.getDest()},
      ArrayRef<AffineMap>{read, AffineMap::getMultiDimIdentityMap(4, context)},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) {
        b.create<linalg::YieldOp>(l, args[0]);
      });
  markReorder(generic, ReorderDirection::FromBlocked);
  rewriter.replaceOp(unpack, generic.getResults());
  return success();
}

struct CNNLowerReorders : cnnc::impl::CNNLowerReordersBase<CNNLowerReorders> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> reorders;
    getOperation().walk([&](Operation *op) {
      if (isa<tensor::PackOp, tensor::UnPackOp>(op))
        reorders.push_back(op);
    });
    for (Operation *op : reorders) {
      rewriter.setInsertionPoint(op);
      LogicalResult lowered =
          isa<tensor::PackOp>(op)
              ? lowerPack(rewriter, cast<tensor::PackOp>(op))
              : lowerUnpack(rewriter, cast<tensor::UnPackOp>(op));
      if (failed(lowered))
        return signalPassFailure();
    }
  }
};

} // namespace

//===- PadInPlace.cpp - producers write into the interior of padded buffers
//===//
//
// A convolution reads its input zero-padded: tensor.pad, which bufferizes
// to a fill of a new buffer and a copy of the whole feature map into its
// interior. When the padded map is computed by a chain of destination-
// style ops that starts at a tensor.empty and is read by nothing but the
// pad, the pad becomes fills of the padded buffer's border (placed before
// the chain) and an insert_slice into its interior; empty-tensor
// elimination then gives the chain that interior as its destination, so
// the producer writes there and nothing is copied or written twice.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNPADINPLACE
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The tensor.empty at the start of the destination chain that computes
/// `value`, if every value of the chain has no other reader.
tensor::EmptyOp chainStart(Value value) {
  while (true) {
    if (!value.hasOneUse())
      return {};
    Operation *op = value.getDefiningOp();
    if (auto empty = dyn_cast_or_null<tensor::EmptyOp>(op))
      return empty;
    auto dps = dyn_cast_or_null<DestinationStyleOpInterface>(op);
    if (!dps || op->getNumResults() != 1 || dps.getNumDpsInits() != 1 ||
        !dps.hasPureTensorSemantics())
      return {};
    value = dps.getDpsInits()[0];
  }
}

/// Fills the border of `tensor` around an interior at `low` of `interior`'s
/// sizes: for each padded dimension d, the slabs before and after the
/// interior along d, spanning the interior along the dimensions before d
/// and everything along those after it (so the slabs do not overlap).
Value fillBorder(OpBuilder &b, Location loc, Value tensor, Value fillValue,
                 ArrayRef<int64_t> low, ArrayRef<int64_t> interior) {
  ArrayRef<int64_t> full = cast<RankedTensorType>(tensor.getType()).getShape();
  int64_t rank = static_cast<int64_t>(full.size());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t high = full[d] - low[d] - interior[d];
    for (auto [begin, size] : {std::pair{int64_t(0), low[d]},
                               std::pair{low[d] + interior[d], high}}) {
      if (size <= 0)
        continue;
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (int64_t i = 0; i < rank; ++i) {
        int64_t offset = i < d ? low[i] : i == d ? begin : 0;
        int64_t extent = i < d ? interior[i] : i == d ? size : full[i];
        offsets.push_back(b.getIndexAttr(offset));
        sizes.push_back(b.getIndexAttr(extent));
        strides.push_back(b.getIndexAttr(1));
      }
      Value slab = b.create<tensor::ExtractSliceOp>(loc, tensor, offsets, sizes,
                                                    strides);
      Value filled =
          b.create<linalg::FillOp>(loc, fillValue, slab).getResult(0);
      tensor = b.create<tensor::InsertSliceOp>(loc, filled, tensor, offsets,
                                               sizes, strides);
    }
  }
  return tensor;
}

struct CNNPadInPlace : cnnc::impl::CNNPadInPlaceBase<CNNPadInPlace> {
  void runOnOperation() override {
    SmallVector<tensor::PadOp> pads;
    getOperation().walk([&](tensor::PadOp pad) { pads.push_back(pad); });
    for (tensor::PadOp pad : pads) {
      Value padValue = pad.getConstantPaddingValue();
      Attribute constant;
      if (!padValue || !matchPattern(padValue, m_Constant(&constant)) ||
          !pad.getResultType().hasStaticShape() ||
          !pad.getSourceType().hasStaticShape() ||
          !llvm::all_of(pad.getStaticLow(),
                        [](int64_t v) { return !ShapedType::isDynamic(v); }))
        continue;
      tensor::EmptyOp start = chainStart(pad.getSource());
      if (!start || start->getBlock() != pad->getBlock())
        continue;
      OpBuilder b(start);
      Location loc = pad.getLoc();
      RankedTensorType type = pad.getResultType();
      Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(),
                                              type.getElementType());
      Value fillValue =
          b.create<arith::ConstantOp>(loc, cast<TypedAttr>(constant));
      Value filled = fillBorder(b, loc, empty, fillValue, pad.getStaticLow(),
                                pad.getSourceType().getShape());
      b.setInsertionPoint(pad);
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (auto [low, size] :
           llvm::zip(pad.getStaticLow(), pad.getSourceType().getShape())) {
        offsets.push_back(b.getIndexAttr(low));
        sizes.push_back(b.getIndexAttr(size));
        strides.push_back(b.getIndexAttr(1));
      }
      Value inserted = b.create<tensor::InsertSliceOp>(
          loc, pad.getSource(), filled, offsets, sizes, strides);
      pad.replaceAllUsesWith(inserted);
      pad.erase();
    }
  }
};

} // namespace

//===- PadInPlace.cpp - producers write into the interior of padded buffers
//===//
//
// A convolution reads its input zero-padded: tensor.pad, which bufferizes
// to a fill of a new buffer and a copy of the whole feature map into its
// interior. When the padded map is computed by a chain of destination-
// style ops that starts at a tensor.empty and that nothing but the pad
// reads, or other ops only read (not return, not update in place), the pad
// becomes fills of the padded buffer's border (placed before the chain) and
// an insert_slice into its interior, and the other readers after the pad
// read that interior; empty-tensor elimination then gives the chain the
// interior as its destination, so the producer writes there and nothing is
// copied or written twice.
//
// Before that, the pads of tiles come first: a fused chain's row tile pads
// its slice of the chain's input (the rows it reads plus the halo, the
// image's border where the tile touches it), a fill and a copy per tile,
// the halo rows copied twice. When every pad of slices of one tensor takes
// it whole along the dimensions it does not pad, they become slices of one
// pad of the whole tensor, which the rule above then lets its producer
// write in place: MobileNetV2's first depthwise-pointwise chain filled and
// copied its padded input tile by tile.
//
//===----------------------------------------------------------------------===//

#include "DestinationChains.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNPADINPLACE
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

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

/// A pad with a constant value, static padding and a static result shape.
bool isStaticPad(tensor::PadOp pad, Attribute *constant) {
  Value padValue = pad.getConstantPaddingValue();
  auto isStatic = [](ArrayRef<int64_t> values) {
    return llvm::none_of(values, ShapedType::isDynamic);
  };
  return padValue && matchPattern(padValue, m_Constant(constant)) &&
         pad.getResultType().hasStaticShape() && isStatic(pad.getStaticLow()) &&
         isStatic(pad.getStaticHigh());
}

/// Replaces the pads of slices of one tensor by slices of a single pad of
/// the whole tensor (see the file comment), where that gives the same
/// values: along a padded dimension, a tile's low padding must start at
/// the tensor's start and its high padding end at the tensor's end;
/// along the others, every slice takes the whole extent.
void hoistTilePads(ModuleOp module) {
  llvm::MapVector<Value, SmallVector<tensor::PadOp>> bySource;
  module.walk([&](tensor::PadOp pad) {
    auto slice = pad.getSource().getDefiningOp<tensor::ExtractSliceOp>();
    Attribute constant;
    // (Not slices of a pad's result: that pad may be rewritten first.)
    if (slice && isStaticPad(pad, &constant) && slice.hasUnitStride() &&
        !slice.getSource().getDefiningOp<tensor::PadOp>() &&
        slice.getSourceType().hasStaticShape() &&
        slice.getSourceType().getRank() == slice.getResultType().getRank())
      bySource[slice.getSource()].push_back(pad);
  });
  for (auto &entry : bySource) {
    Value source = entry.first;
    ArrayRef<tensor::PadOp> pads = entry.second;
    auto type = cast<RankedTensorType>(source.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    Attribute value;
    bool valid = true;
    for (tensor::PadOp pad : pads) {
      Attribute constant;
      isStaticPad(pad, &constant);
      if (value && constant != value)
        valid = false;
      value = constant;
      for (int64_t d = 0; d < rank; ++d) {
        low[d] = std::max(low[d], pad.getStaticLow()[d]);
        high[d] = std::max(high[d], pad.getStaticHigh()[d]);
      }
    }
    for (tensor::PadOp pad : pads) {
      auto slice = pad.getSource().getDefiningOp<tensor::ExtractSliceOp>();
      for (int64_t d = 0; d < rank && valid; ++d) {
        std::optional<int64_t> offset =
            getConstantIntValue(slice.getMixedOffsets()[d]);
        std::optional<int64_t> size =
            getConstantIntValue(slice.getMixedSizes()[d]);
        int64_t extent = type.getDimSize(d);
        if (low[d] == 0 && high[d] == 0)
          valid = offset == 0 && size == extent;
        else
          valid = (pad.getStaticLow()[d] == 0 || offset == 0) &&
                  (pad.getStaticHigh()[d] == 0 ||
                   (offset && size && *offset + *size == extent));
      }
    }
    // A pad of a slice that was not in a loop gains nothing.
    bool inLoop = llvm::any_of(pads, [&](tensor::PadOp pad) {
      return pad->getParentRegion() != source.getParentRegion();
    });
    // And only where the tensor's producer can then write into the whole
    // pad (the rule below): every reader of the tensor is a slice that only
    // these pads read, and the producer's chain starts at an empty tensor
    // in its block. Otherwise the whole pad would be one more copy of the
    // tensor, alive through the loop.
    auto isRewrittenSlice = [&](Operation *user) {
      auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
      return slice && llvm::all_of(slice->getUsers(), [&](Operation *reader) {
               return llvm::is_contained(pads, reader);
             });
    };
    tensor::EmptyOp start =
        cnnc::destinationChainStart(source, /*valueMayHaveReaders=*/true);
    if (!valid || !inLoop || !start ||
        start->getBlock() != source.getParentBlock() ||
        !llvm::all_of(source.getUsers(), isRewrittenSlice))
      continue;
    OpBuilder b(source.getContext());
    b.setInsertionPointAfterValue(source);
    Location loc = source.getLoc();
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(type.getDimSize(d) + low[d] + high[d]);
    Value padValue = b.create<arith::ConstantOp>(loc, cast<TypedAttr>(value));
    SmallVector<OpFoldResult> lowSizes, highSizes;
    for (int64_t d = 0; d < rank; ++d) {
      lowSizes.push_back(b.getIndexAttr(low[d]));
      highSizes.push_back(b.getIndexAttr(high[d]));
    }
    auto whole = b.create<tensor::PadOp>(
        loc, RankedTensorType::get(shape, type.getElementType()), source,
        lowSizes, highSizes, padValue);
    for (tensor::PadOp pad : pads) {
      auto slice = pad.getSource().getDefiningOp<tensor::ExtractSliceOp>();
      b.setInsertionPoint(pad);
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (int64_t d = 0; d < rank; ++d) {
        // The tile starts pad-low rows before its slice, which is
        // low[d] rows into the whole pad.
        OpFoldResult offset = slice.getMixedOffsets()[d];
        int64_t shift = low[d] - pad.getStaticLow()[d];
        if (auto constant = getConstantIntValue(offset))
          offset = b.getIndexAttr(*constant + shift);
        else if (shift != 0)
          offset = b.create<arith::AddIOp>(
                        pad.getLoc(), cast<Value>(offset),
                        b.create<arith::ConstantIndexOp>(pad.getLoc(), shift))
                       .getResult();
        offsets.push_back(offset);
        sizes.push_back(b.getIndexAttr(pad.getResultType().getDimSize(d)));
        strides.push_back(b.getIndexAttr(1));
      }
      Value tile = b.create<tensor::ExtractSliceOp>(
          pad.getLoc(), pad.getResultType(), whole, offsets, sizes, strides);
      pad.replaceAllUsesWith(tile);
      pad.erase();
      if (slice->use_empty())
        slice.erase();
    }
  }
}

/// Whether `use` only reads its tensor: a pad, an extract_slice or an input
/// of a destination-style op.
bool onlyReads(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (isa<tensor::PadOp, tensor::ExtractSliceOp>(owner))
    return true;
  auto dps = dyn_cast<DestinationStyleOpInterface>(owner);
  return dps && dps.isDpsInput(&use);
}

struct CNNPadInPlace : cnnc::impl::CNNPadInPlaceBase<CNNPadInPlace> {
  void runOnOperation() override {
    hoistTilePads(getOperation());
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
      // Other readers of the source are fine if they only read it (see
      // below); one that writes it in place or returns it keeps the pad.
      Value source = pad.getSource();
      tensor::EmptyOp start = cnnc::destinationChainStart(
          source,
          /*valueMayHaveReaders=*/llvm::all_of(source.getUses(), onlyReads));
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
      auto inserted = b.create<tensor::InsertSliceOp>(loc, source, filled,
                                                      offsets, sizes, strides);
      // Other readers after the pad read the padded buffer's interior: were
      // they to read `source`, which then lives in that interior, after
      // the insert_slice, One-Shot Bufferize would call the insert a
      // conflicting write and give the producer a buffer of its own and a
      // copy into the interior (ShuffleNetV2's units whose input both
      // branches read).
      Operation *interior = nullptr;
      for (OpOperand &use : llvm::make_early_inc_range(source.getUses())) {
        Operation *reader =
            pad->getBlock()->findAncestorOpInBlock(*use.getOwner());
        if (!reader || reader == pad || reader == inserted ||
            !inserted->isBeforeInBlock(reader))
          continue;
        if (!interior) {
          b.setInsertionPointAfter(inserted);
          interior = b.create<tensor::ExtractSliceOp>(
              loc, pad.getSourceType(), inserted, offsets, sizes, strides);
        }
        use.set(interior->getResult(0));
      }
      pad.replaceAllUsesWith(inserted.getResult());
      pad.erase();
    }
  }
};

} // namespace

//===- LoweringUtils.cpp - helpers shared by the cnn lowerings ------------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace cnnc::lowering {

Value floatConstant(OpBuilder &b, Location loc, Type elementType,
                    double value) {
  return b.create<arith::ConstantOp>(loc, elementType,
                                     b.getFloatAttr(elementType, value));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value) {
  Value scalar = floatConstant(b, loc, type.getElementType(), value);
  return b
      .create<linalg::FillOp>(loc, ValueRange{scalar},
                              ValueRange{emptyTensor(b, loc, type)})
      .getResult(0);
}

Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, double value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < shape.size(); ++i)
    shape[i] += low[i] + high[i];
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = floatConstant(b, loc, type.getElementType(), value);
  SmallVector<OpFoldResult> lowSizes, highSizes;
  for (auto [l, h] : llvm::zip_equal(low, high)) {
    lowSizes.push_back(b.getIndexAttr(l));
    highSizes.push_back(b.getIndexAttr(h));
  }
  return b.create<tensor::PadOp>(loc, resultType, input, lowSizes, highSizes,
                                 padValue);
}

Value padSpatial(OpBuilder &b, Location loc, Value input, int64_t top,
                 int64_t left, int64_t bottom, int64_t right, double value) {
  return padTensor(b, loc, input, {0, 0, top, left}, {0, 0, bottom, right},
                   value);
}

Value broadcastAlong(OpBuilder &b, Location loc, Value vector,
                     RankedTensorType target, int64_t dim) {
  AffineMap map = AffineMap::get(target.getRank(), 0, b.getAffineDimExpr(dim),
                                 b.getContext());
  return elementwise(
      b, loc, target, vector, map,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                  BodyBuilder body) {
  unsigned rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (size_t i = 0; i < inputs.size(); ++i)
    maps.push_back(inputMaps.empty() ? b.getMultiDimIdentityMap(rank)
                                     : inputMaps[i]);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = emptyTensor(b, loc, resultType);
  return b
      .create<linalg::GenericOp>(
          loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
          iterators(rank),
          [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
            Value result = body(nested, nestedLoc, args.drop_back());
            nested.create<linalg::YieldOp>(nestedLoc, result);
          })
      .getResult(0);
}

AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> operand,
                       ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  size_t offset = result.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i) {
    if (operand[i] == 1 && result[offset + i] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(offset + i, context));
  }
  return AffineMap::get(result.size(), 0, exprs, context);
}

AffineMap preluSlopeMap(MLIRContext *context, RankedTensorType slope,
                        unsigned rank) {
  AffineExpr channel = slope.getDimSize(0) == 1
                           ? getAffineConstantExpr(0, context)
                           : getAffineDimExpr(1, context);
  return AffineMap::get(rank, 0, channel, context);
}

Value reshapeTensor(OpBuilder &b, Location loc, Value input,
                    RankedTensorType target) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type == target)
    return input;
  // Through a 1-D tensor: collapse everything into it (or expand a scalar
  // into it), then expand it into the target (or collapse it to a scalar).
  auto all = [](int64_t rank) {
    SmallVector<ReassociationIndices> reassociation;
    if (rank > 0) {
      reassociation.emplace_back();
      for (int64_t i = 0; i < rank; ++i)
        reassociation.front().push_back(i);
    }
    return reassociation;
  };
  auto flatType =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  Value flat = input;
  if (type.getRank() == 0)
    flat = b.create<tensor::ExpandShapeOp>(loc, flatType, input, all(0));
  else if (type.getRank() > 1)
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, input,
                                             all(type.getRank()));
  if (target.getRank() == 1)
    return flat;
  if (target.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, target, flat, all(0));
  return b.create<tensor::ExpandShapeOp>(loc, target, flat,
                                         all(target.getRank()));
}

SmallVector<utils::IteratorType> iterators(unsigned parallel,
                                           unsigned reduction) {
  SmallVector<utils::IteratorType> kinds(parallel,
                                         utils::IteratorType::parallel);
  kinds.append(reduction, utils::IteratorType::reduction);
  return kinds;
}

} // namespace cnnc::lowering

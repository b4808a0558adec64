//===- ConvEpilogue.cpp - what a convolution kernel takes over ------------===//

#include "ConvEpilogue.h"
#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::vectorize;

bool vectorize::isUsableBuffer(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32() &&
         isLastMemrefDimUnitStride(type);
}

bool vectorize::isImageCollapsible(Value value) {
  auto type = cast<MemRefType>(value.getType());
  return type.getRank() == 4 &&
         memref::CollapseShapeOp::isGuaranteedCollapsible(type,
                                                          {{0}, {1}, {2, 3}});
}

SmallVector<Value> vectorize::imageIndices(Value n, Value c, Value row,
                                           bool flattened) {
  if (flattened)
    return {n, c};
  return {n, c, row};
}

namespace {

bool isFourDimIdentity(AffineMap map) {
  return map.getNumDims() == 4 && map.isIdentity();
}

/// A map whose results are dims (each at most once) or the constant 0, with
/// `vectorDim` (the dimension of the vector lanes) only as the last result.
bool isVectorReadableMap(AffineMap map, unsigned vectorDim) {
  llvm::SmallBitVector seen(map.getNumDims());
  for (auto [position, expr] : llvm::enumerate(map.getResults())) {
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      if (constant.getValue() != 0)
        return false;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || seen.test(dim.getPosition()))
      return false;
    seen.set(dim.getPosition());
    if (dim.getPosition() == vectorDim && position + 1 != map.getNumResults())
      return false;
  }
  return true;
}

/// The rank of an output in `layout` and the dimension its vectors run
/// along: NCHW (4, the columns: 3), blocked (5, the lanes: 4).
unsigned rankOf(vectorize::Layout layout) {
  return layout == vectorize::Layout::Blocked ? 5 : 4;
}

bool isIdentity(AffineMap map, unsigned rank) {
  return map.getNumDims() == rank && map.isIdentity();
}

bool isVectorizableEpilogue(linalg::GenericOp generic, Value output,
                            vectorize::Layout layout) {
  unsigned rank = rankOf(layout);
  if (!generic->getContext()
           ->getLoadedDialect<CnncDialect>()
           ->getEpilogueAttrHelper()
           .isAttrPresent(generic) ||
      generic.getNumDpsInits() != 1 || generic.getDpsInits()[0] != output ||
      !generic.hasPureBufferSemantics())
    return false;
  if (generic.getNumLoops() != rank || generic.getNumParallelLoops() != rank)
    return false;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!isIdentity(maps.back(), rank))
    return false;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (!vectorize::isUsableBuffer(input->get()) ||
        !isVectorReadableMap(maps[input->getOperandNumber()], rank - 1))
      return false;
  }
  for (Operation &op : generic.getRegion().front().without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      if (!isa<FloatAttr>(constant.getValue()))
        return false;
      continue;
    }
    if (!OpTrait::hasElementwiseMappableTraits(&op) || op.getNumRegions())
      return false;
    auto isScalar = [](Type type) { return type.isF32() || type.isInteger(1); };
    if (!llvm::all_of(op.getOperandTypes(), isScalar) ||
        !llvm::all_of(op.getResultTypes(), isScalar))
      return false;
  }
  return generic.getRegion().front().getTerminator()->getNumOperands() == 1;
}

/// Whether `generic` is the channel-sum reduction of `output` that
/// squeeze_excite's lowering emits: sums[n, c, 0, 0] += output[n, c, h, w]
/// (blocked: sums[n, b, 0, 0, l] += output[n, b, h, w, l]).
bool isChannelSum(linalg::GenericOp generic, Value output,
                  vectorize::Layout layout) {
  unsigned rank = rankOf(layout);
  if (!generic->getContext()
           ->getLoadedDialect<CnncDialect>()
           ->getChannelSumAttrHelper()
           .isAttrPresent(generic) ||
      !generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getDpsInputs()[0] != output)
    return false;
  Value sums = generic.getDpsInits()[0];
  auto type = dyn_cast<MemRefType>(sums.getType());
  MLIRContext *context = generic.getContext();
  AffineExpr zero = getAffineConstantExpr(0, context);
  SmallVector<AffineExpr> sumsResults = {
      getAffineDimExpr(0, context), getAffineDimExpr(1, context), zero, zero};
  if (layout == vectorize::Layout::Blocked)
    sumsResults.push_back(getAffineDimExpr(4, context));
  AffineMap sumsMap = AffineMap::get(rank, 0, sumsResults, context);
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  return type && type.getRank() == rank && vectorize::isUsableBuffer(sums) &&
         isIdentity(maps[0], rank) && maps[1] == sumsMap;
}

} // namespace

bool vectorize::usesDim(AffineMap map, unsigned dim) {
  return llvm::any_of(map.getResults(), [&](AffineExpr expr) {
    auto d = dyn_cast<AffineDimExpr>(expr);
    return d && d.getPosition() == dim;
  });
}

/// The map of a per-channel operand: (d1) in NCHW, (d1, d4) blocked.
static AffineMap perChannelMap(linalg::GenericOp generic,
                               vectorize::Layout layout) {
  MLIRContext *context = generic.getContext();
  SmallVector<AffineExpr> results = {getAffineDimExpr(1, context)};
  if (layout == vectorize::Layout::Blocked)
    results.push_back(getAffineDimExpr(4, context));
  return AffineMap::get(rankOf(layout), 0, results, context);
}

bool vectorize::epilogueAllowsFlattening(linalg::GenericOp generic) {
  if (!generic)
    return true;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    if (isFourDimIdentity(map)) {
      if (!isImageCollapsible(input->get()))
        return false;
      continue;
    }
    if (usesDim(map, 2) || usesDim(map, 3))
      return false;
  }
  return true;
}

vectorize::ConvNeighbours
vectorize::findNeighbours(Operation *conv, Value output, Layout layout) {
  unsigned rank = rankOf(layout);
  ConvNeighbours neighbours;
  Operation *previous = conv->getPrevNode();
  while (previous && isMemoryEffectFree(previous))
    previous = previous->getPrevNode();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(previous)) {
    if (fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == output &&
        fill.getDpsInputs()[0].getType().isF32()) {
      neighbours.init = fill;
      neighbours.fillValue = fill.getDpsInputs()[0];
    }
  } else if (auto generic = dyn_cast_or_null<linalg::GenericOp>(previous)) {
    Block &body = generic.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (generic.hasPureBufferSemantics() && generic.getNumDpsInputs() == 1 &&
        generic.getNumDpsInits() == 1 && generic.getDpsInits()[0] == output &&
        generic.getNumParallelLoops() == generic.getNumLoops() &&
        generic.getNumLoops() == rank &&
        cast<MemRefType>(generic.getDpsInputs()[0].getType()).getRank() ==
            rank - 3 &&
        isUsableBuffer(generic.getDpsInputs()[0]) &&
        generic.getIndexingMapsArray()[0] == perChannelMap(generic, layout) &&
        isIdentity(generic.getIndexingMapsArray()[1], rank) &&
        &body.front() == yield.getOperation() &&
        yield.getOperand(0) == body.getArgument(0)) {
      neighbours.init = generic;
      neighbours.channelInit = generic.getDpsInputs()[0];
    }
  }
  auto nextWithEffects = [](Operation *op) {
    Operation *next = op->getNextNode();
    while (next && isMemoryEffectFree(next))
      next = next->getNextNode();
    return dyn_cast_or_null<linalg::GenericOp>(next);
  };
  Operation *last = conv;
  if (linalg::GenericOp generic = nextWithEffects(conv))
    if (isVectorizableEpilogue(generic, output, layout))
      last = neighbours.epilogue = generic;
  if (linalg::GenericOp generic = nextWithEffects(last))
    if (isChannelSum(generic, output, layout))
      neighbours.channelSum = generic;
  return neighbours;
}

TileEpilogue::TileEpilogue(VectorEmitter &e, ConvNeighbours neighbours,
                           bool flattened)
    : e(e), neighbours(neighbours), flattened(flattened) {
  if (!neighbours.epilogue)
    return;
  for (OpOperand *input : neighbours.epilogue.getDpsInputOperands()) {
    Value buffer = input->get();
    AffineMap map =
        neighbours.epilogue.getIndexingMapsArray()[input->getOperandNumber()];
    if (flattened && isFourDimIdentity(map))
      buffer = e.b.create<memref::CollapseShapeOp>(
          e.loc, buffer, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    inputs.push_back(buffer);
  }
}

Value TileEpilogue::initial(Value channel) {
  if (neighbours.fillValue)
    return e.b.create<vector::BroadcastOp>(e.loc, e.vectorType(e.getLanes()),
                                           neighbours.fillValue);
  if (neighbours.channelInit)
    return e.broadcastScalar(neighbours.channelInit, {channel});
  return nullptr;
}

Value TileEpilogue::apply(Value accumulator, Value n, Value channel, Value row,
                          Value column, int64_t valid) {
  linalg::GenericOp generic = neighbours.epilogue;
  if (!generic)
    return accumulator;
  Block &body = generic.getRegion().front();
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  Value dims[] = {n, channel, row, column};
  IRMapping mapping;
  for (auto [index, buffer] : llvm::enumerate(inputs)) {
    AffineMap map = maps[index];
    Value value;
    if (flattened && isFourDimIdentity(map)) {
      value = e.loadRow(buffer, {n, channel}, column, 1, valid);
    } else {
      SmallVector<Value> indices;
      for (AffineExpr expr : map.getResults()) {
        if (auto dim = dyn_cast<AffineDimExpr>(expr))
          indices.push_back(dims[dim.getPosition()]);
        else
          indices.push_back(e.index(0));
      }
      if (usesDim(map, 3)) {
        Value lanes = indices.pop_back_val();
        value = e.loadRow(buffer, indices, lanes, 1, valid);
      } else {
        value = e.broadcastScalar(buffer, indices);
      }
    }
    mapping.map(body.getArgument(index), value);
  }
  mapping.map(body.getArgument(inputs.size()), accumulator);
  for (Operation &op : body.without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      mapping.map(
          constant.getResult(),
          e.b.create<arith::ConstantOp>(
              e.loc, DenseElementsAttr::get(
                         VectorType::get({e.getLanes()}, constant.getType()),
                         constant.getValue())));
      continue;
    }
    // Scalars from outside the body (hoisted constants) are broadcast.
    for (Value operand : op.getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand,
                    e.b.create<vector::BroadcastOp>(
                        e.loc,
                        VectorType::get({e.getLanes()}, operand.getType()),
                        operand));
    Operation *clone = e.b.clone(op, mapping);
    for (Value result : clone->getResults())
      result.setType(VectorType::get({e.getLanes()}, result.getType()));
  }
  return mapping.lookup(body.getTerminator()->getOperand(0));
}

void TileEpilogue::accumulateChannelSum(ArrayRef<Value> results,
                                        ArrayRef<int64_t> valid, Value n,
                                        Value channel) {
  if (!neighbours.channelSum)
    return;
  Value total;
  for (auto [result, lanes] : llvm::zip(results, valid)) {
    if (lanes <= 0)
      continue;
    Value part = result;
    if (lanes < e.getLanes())
      part = e.b.create<arith::SelectOp>(e.loc, e.mask(e.getLanes(), lanes),
                                         result, e.zeros(e.getLanes()));
    total = total ? e.b.create<arith::AddFOp>(e.loc, total, part) : part;
  }
  if (!total)
    return;
  Value sums = neighbours.channelSum.getDpsInits()[0];
  SmallVector<Value> at{n, channel, e.index(0), e.index(0)};
  Value sum = e.b.create<memref::LoadOp>(e.loc, sums, at);
  sum =
      e.b.create<vector::ReductionOp>(e.loc, vector::CombiningKind::ADD, total,
                                      sum, arith::FastMathFlags::reassoc);
  e.b.create<memref::StoreOp>(e.loc, sum, sums, at);
}

void TileEpilogue::store(ArrayRef<Value> accumulators, int64_t valid,
                         Value output, Value n, Value row,
                         function_ref<Value()> channel,
                         function_ref<Value(int64_t)> column) {
  SmallVector<Value> results;
  SmallVector<int64_t> valids;
  for (auto [v, accumulator] : llvm::enumerate(accumulators)) {
    int64_t lanes = valid - static_cast<int64_t>(v) * e.getLanes();
    SmallVector<Value> at = imageIndices(n, channel(), row, flattened);
    at.push_back(column(v));
    Value epilogueChannel = channel();
    Value epilogueColumn = column(v);
    Value result = apply(accumulator, n, epilogueChannel,
                         flattened ? Value() : row, epilogueColumn, lanes);
    e.storeRow(result, output, at, lanes);
    results.push_back(result);
    valids.push_back(lanes);
  }
  accumulateChannelSum(results, valids, n, channel());
}

void ConvNeighbours::eraseAbsorbed(PatternRewriter &rewriter) const {
  if (channelSum)
    rewriter.eraseOp(channelSum);
  if (epilogue)
    rewriter.eraseOp(epilogue);
  if (init)
    rewriter.eraseOp(init);
}

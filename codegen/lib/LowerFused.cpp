//===- LowerFused.cpp - cnn.fused ops to tensor code ----------------------===//
//
// Runs first in cnn-lower-to-linalg. Each cnn.fused op is replaced by code
// for its kind, still on tensors and partly in cnn ops, which the op-by-op
// patterns then lower:
//
// - conv_epilogue: the convolution, then one linalg.generic marked
//   `cnnc.epilogue` that applies the whole chain and writes the
//   convolution's own result (its `outs`), so bufferization keeps one
//   buffer and cnn-vectorize-convolutions can apply the chain to the
//   accumulators before they are stored.
// - depthwise_pointwise: a loop over tiles of `tile_rows` output rows; each
//   tile convolves the rows of the padded input it needs into a tile-sized
//   depthwise result and feeds it to the pointwise convolution, whose
//   result goes into its rows of the output.
// - any other kind: the body, inlined.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// Replaces `fused` by its body.
void inlineBody(IRRewriter &rewriter, cnn::FusedOp fused) {
  IRMapping mapping;
  Block &body = fused.getBody().front();
  mapping.map(body.getArguments(), fused.getInputs());
  rewriter.setInsertionPoint(fused);
  for (Operation *op : fused.getChain())
    rewriter.clone(*op, mapping);
  SmallVector<Value> results;
  for (Value value : body.getTerminator()->getOperands())
    results.push_back(mapping.lookup(value));
  rewriter.replaceOp(fused, results);
}

/// The map reading operand `other` of an epilogue op while iterating over
/// the chain's feature map of type `type`.
AffineMap epilogueOperandMap(Operation *op, Value other,
                             RankedTensorType type) {
  MLIRContext *context = op->getContext();
  auto otherType = cast<RankedTensorType>(other.getType());
  if (isa<cnn::PReluOp>(op)) {
    AffineExpr slope = otherType.getDimSize(0) == 1
                           ? getAffineConstantExpr(0, context)
                           : getAffineDimExpr(1, context);
    return AffineMap::get(type.getRank(), 0, slope, context);
  }
  return broadcastMap(context, otherType.getShape(), type.getShape());
}

/// Returns the value that replaced the fused op.
FailureOr<Value> expandConvEpilogue(IRRewriter &rewriter, cnn::FusedOp fused) {
  SmallVector<Operation *> chain = fused.getChain();
  if (!isa<cnn::Conv2DOp>(chain.front()))
    return fused.emitOpError("of kind conv_epilogue must start with a "
                             "cnn.conv2d");
  IRMapping mapping;
  mapping.map(fused.getBody().front().getArguments(), fused.getInputs());
  rewriter.setInsertionPoint(fused);
  Value accumulator = rewriter.clone(*chain.front(), mapping)->getResult(0);
  if (chain.size() == 1) {
    rewriter.replaceOp(fused, accumulator);
    return accumulator;
  }
  auto type = cast<RankedTensorType>(accumulator.getType());

  // The operands besides the chain's value, op by op.
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<unsigned> counts;
  Value chainValue = chain.front()->getResult(0);
  for (Operation *op : ArrayRef(chain).drop_front()) {
    if (op->getNumResults() != 1 || op->getResult(0).getType() != type)
      return op->emitOpError("cannot be part of a convolution epilogue");
    unsigned count = 0;
    for (Value operand : op->getOperands()) {
      if (operand == chainValue)
        continue;
      inputs.push_back(mapping.lookup(operand));
      maps.push_back(epilogueOperandMap(op, operand, type));
      ++count;
    }
    counts.push_back(count);
    chainValue = op->getResult(0);
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(type.getRank()));

  bool built = true;
  auto generic = rewriter.create<linalg::GenericOp>(
      fused.getLoc(), TypeRange{type}, inputs, ValueRange{accumulator}, maps,
      iterators(type.getRank()),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value x = args.back();
        unsigned next = 0;
        for (auto [op, count] :
             llvm::zip(ArrayRef(chain).drop_front(), counts)) {
          FailureOr<Value> value = buildElementFormula(b, op->getLoc(), op, x,
                                                       args.slice(next, count));
          next += count;
          if (failed(value)) {
            built = false;
            break;
          }
          x = *value;
        }
        b.create<linalg::YieldOp>(loc, x);
      });
  if (!built) {
    rewriter.eraseOp(generic);
    return fused.emitOpError("holds an op without an element formula");
  }
  generic->setAttr("cnnc.epilogue", rewriter.getUnitAttr());
  rewriter.replaceOp(fused, generic.getResults());
  return generic.getResult(0);
}

/// Fuses `ops` (a convolution and its epilogue, already built) into a
/// conv_epilogue and expands it at once; returns the chain's result.
FailureOr<Value> buildConvEpilogue(IRRewriter &rewriter,
                                   ArrayRef<Operation *> ops) {
  if (ops.size() == 1)
    return ops.front()->getResult(0);
  return expandConvEpilogue(
      rewriter, cnn::FusedOp::fuseChain(rewriter, "conv_epilogue", ops));
}

LogicalResult expandDepthwisePointwise(IRRewriter &rewriter,
                                       cnn::FusedOp fused) {
  SmallVector<Operation *> chain = fused.getChain();
  auto depthwise = dyn_cast<cnn::Conv2DOp>(chain.front());
  auto pointwiseAt =
      std::find_if(chain.begin() + 1, chain.end(),
                   [](Operation *op) { return isa<cnn::Conv2DOp>(op); });
  if (!depthwise || pointwiseAt == chain.end())
    return fused.emitOpError("of kind depthwise_pointwise must hold a "
                             "depthwise and a pointwise cnn.conv2d");
  size_t pointwiseIndex = pointwiseAt - chain.begin();
  Location loc = fused.getLoc();
  Block &body = fused.getBody().front();
  IRMapping mapping;
  mapping.map(body.getArguments(), fused.getInputs());
  rewriter.setInsertionPoint(fused);

  RankedTensorType middle = depthwise.getType();
  auto resultType = cast<RankedTensorType>(fused.getResult(0).getType());
  int64_t outRows = middle.getDimSize(2);
  int64_t tileRows = outRows;
  if (auto attr = fused->getAttrOfType<IntegerAttr>("tile_rows"))
    tileRows = std::clamp<int64_t>(attr.getInt(), 1, outRows);
  ArrayRef<int64_t> pad = depthwise.getPadding();
  int64_t strideH = depthwise.getStrides()[0];
  int64_t dilationH = depthwise.getDilations()[0];
  int64_t kernelH = depthwise.getKernelHeight();
  Value padded = padSpatial(rewriter, loc, mapping.lookup(depthwise.getInput()),
                            pad[0], pad[1], pad[2], pad[3], 0.0);

  auto index = [&](int64_t value) -> Value {
    return rewriter.create<arith::ConstantIndexOp>(loc, value);
  };
  // Rows [firstRow, firstRow + rows) of an [N, C, H, W] tensor.
  auto rowRange = [&](RankedTensorType type, Value firstRow, int64_t rows,
                      SmallVectorImpl<OpFoldResult> &offsets,
                      SmallVectorImpl<OpFoldResult> &sizes,
                      SmallVectorImpl<OpFoldResult> &strides) {
    offsets.assign({rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                    getAsOpFoldResult(firstRow), rewriter.getIndexAttr(0)});
    sizes.assign({rewriter.getIndexAttr(type.getDimSize(0)),
                  rewriter.getIndexAttr(type.getDimSize(1)),
                  rewriter.getIndexAttr(rows),
                  rewriter.getIndexAttr(type.getDimSize(3))});
    strides.assign(4, rewriter.getIndexAttr(1));
  };
  auto rowSlice = [&](Value source, Value firstRow, int64_t rows) -> Value {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    rowRange(cast<RankedTensorType>(source.getType()), firstRow, rows, offsets,
             sizes, strides);
    return rewriter.create<tensor::ExtractSliceOp>(loc, source, offsets, sizes,
                                                   strides);
  };

  // One tile: output rows [firstRow, firstRow + rows), written into `dest`.
  auto emitTile = [&](Value firstRow, int64_t rows,
                      Value dest) -> FailureOr<Value> {
    int64_t inRows = (rows - 1) * strideH + (kernelH - 1) * dilationH + 1;
    Value inFirst =
        rewriter.createOrFold<arith::MulIOp>(loc, firstRow, index(strideH));
    IRMapping tile(mapping);
    tile.map(depthwise.getInput(), rowSlice(padded, inFirst, inRows));
    OpBuilder::InsertPoint insertionPoint = rewriter.saveInsertionPoint();
    SmallVector<Operation *> first, second;
    for (auto [position, op] : llvm::enumerate(chain)) {
      // The epilogue's operands with the output's rows (a residual) are
      // read in the tile's rows.
      IRMapping operands(tile);
      if (position > pointwiseIndex)
        for (Value operand : op->getOperands()) {
          auto type = dyn_cast<RankedTensorType>(operand.getType());
          auto argument = dyn_cast<BlockArgument>(operand);
          if (argument && argument.getOwner() == &body && type &&
              type.getRank() == 4 && type.getDimSize(2) == outRows &&
              outRows > 1)
            operands.map(operand,
                         rowSlice(mapping.lookup(operand), firstRow, rows));
        }
      Operation *clone = rewriter.clone(*op, operands);
      tile.map(op->getResults(), clone->getResults());
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      clone->getResult(0).setType(RankedTensorType::get(
          {type.getDimSize(0), type.getDimSize(1), rows, type.getDimSize(3)},
          type.getElementType()));
      if (position == 0)
        cast<cnn::Conv2DOp>(clone).setPaddingAttr(
            rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}));
      (position < pointwiseIndex ? first : second).push_back(clone);
    }
    if (failed(buildConvEpilogue(rewriter, first)))
      return failure();
    rewriter.restoreInsertionPoint(insertionPoint);
    FailureOr<Value> tileResult = buildConvEpilogue(rewriter, second);
    if (failed(tileResult))
      return failure();
    rewriter.restoreInsertionPoint(insertionPoint);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    rowRange(resultType, firstRow, rows, offsets, sizes, strides);
    return rewriter
        .create<tensor::InsertSliceOp>(loc, *tileResult, dest, offsets, sizes,
                                       strides)
        .getResult();
  };

  Value result = emptyTensor(rewriter, loc, resultType);
  int64_t fullTiles = outRows / tileRows;
  if (fullTiles == 1) {
    FailureOr<Value> tile = emitTile(index(0), tileRows, result);
    if (failed(tile))
      return failure();
    result = *tile;
  } else if (fullTiles > 1) {
    auto loop = rewriter.create<scf::ForOp>(loc, index(0), index(fullTiles),
                                            index(1), ValueRange{result});
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(loop.getBody());
    Value firstRow = rewriter.create<arith::MulIOp>(loc, loop.getInductionVar(),
                                                    index(tileRows));
    FailureOr<Value> tile =
        emitTile(firstRow, tileRows, loop.getRegionIterArgs()[0]);
    if (failed(tile))
      return failure();
    rewriter.create<scf::YieldOp>(loc, *tile);
    result = loop.getResult(0);
  }
  if (int64_t remaining = outRows - fullTiles * tileRows) {
    FailureOr<Value> tile =
        emitTile(index(fullTiles * tileRows), remaining, result);
    if (failed(tile))
      return failure();
    result = *tile;
  }
  rewriter.replaceOp(fused, result);
  return success();
}

} // namespace

LogicalResult cnnc::lowering::expandFusedOps(ModuleOp module) {
  SmallVector<cnn::FusedOp> fusedOps;
  module.walk([&](cnn::FusedOp op) { fusedOps.push_back(op); });
  IRRewriter rewriter(module.getContext());
  for (cnn::FusedOp fused : fusedOps) {
    StringRef kind = fused.getKind();
    LogicalResult expanded = success();
    if (kind == "conv_epilogue")
      expanded = failure(failed(expandConvEpilogue(rewriter, fused)));
    else if (kind == "depthwise_pointwise")
      expanded = expandDepthwisePointwise(rewriter, fused);
    else
      inlineBody(rewriter, fused);
    if (failed(expanded))
      return failure();
  }
  return success();
}

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
// - squeeze_excite: the convolution and its activations as a conv_epilogue,
//   then the pool's channel sums as a reduction marked `cnnc.channel_sum`
//   that cnn-vectorize-convolutions folds into the convolution's stores,
//   then the excitation, the scale and the ops after it op by op (the
//   element-wise ones merge into one loop in cnn-fuse-elementwise).
// - any other kind: the body, inlined.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SmallPtrSet.h"

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
  if (isa<cnn::PReluOp>(op))
    return preluSlopeMap(context, otherType, type.getRank());
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
  rewriter.getContext()
      ->getLoadedDialect<cnnc::CnncDialect>()
      ->getEpilogueAttrHelper()
      .setAttr(generic, rewriter.getUnitAttr());
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
      rewriter,
      cnn::FusedOp::fuseChain(rewriter, cnn::FusionKind::ConvEpilogue, ops));
}

/// squeeze_excite: [convolution, activations, global_avg_pool, excitation
/// ops, mul, element-wise ops], in program order.
LogicalResult expandSqueezeExcite(IRRewriter &rewriter, cnn::FusedOp fused) {
  SmallVector<Operation *> chain = fused.getChain();
  auto poolAt = llvm::find_if(
      chain, [](Operation *op) { return isa<cnn::GlobalAvgPoolOp>(op); });
  if (chain.empty() || !isa<cnn::Conv2DOp>(chain.front()) ||
      poolAt == chain.end())
    return fused.emitOpError("of kind squeeze_excite must start with a "
                             "cnn.conv2d and hold a cnn.global_avg_pool");
  auto pool = cast<cnn::GlobalAvgPoolOp>(*poolAt);
  if (pool.getInput() != (*std::prev(poolAt))->getResult(0))
    return fused.emitOpError("of kind squeeze_excite must pool the result "
                             "of the ops before the pool");
  // The producer's ops become one conv_epilogue: after the pool, only its
  // last result (the pooled map) may still be read.
  llvm::SmallPtrSet<Operation *, 8> producerOps(chain.begin(), poolAt);
  auto readsProducerInside = [&](Operation *op) {
    return llvm::any_of(op->getOperands(), [&](Value operand) {
      return producerOps.contains(operand.getDefiningOp()) &&
             operand != pool.getInput();
    });
  };
  if (llvm::any_of(llvm::make_range(std::next(poolAt), chain.end()),
                   readsProducerInside) ||
      readsProducerInside(fused.getBody().front().getTerminator()))
    return fused.emitOpError("of kind squeeze_excite may read only the "
                             "pooled map of the ops before the pool");
  IRMapping mapping;
  mapping.map(fused.getBody().front().getArguments(), fused.getInputs());
  rewriter.setInsertionPoint(fused);
  Location loc = pool.getLoc();
  RankedTensorType sumType = pool.getType();
  // The sums start at zero before the convolution runs, so that the
  // convolution's kernel finds the reduction right after its stores.
  Value zeros = filledTensor(rewriter, loc, sumType, 0.0);
  SmallVector<Operation *> producer;
  for (Operation *op : llvm::make_range(chain.begin(), poolAt))
    producer.push_back(rewriter.clone(*op, mapping));
  FailureOr<Value> x = buildConvEpilogue(rewriter, producer);
  if (failed(x))
    return failure();
  rewriter.setInsertionPoint(fused);
  auto [sum, mean] = globalAveragePool(rewriter, loc, *x, zeros);
  rewriter.getContext()
      ->getLoadedDialect<cnnc::CnncDialect>()
      ->getChannelSumAttrHelper()
      .setAttr(sum, rewriter.getUnitAttr());
  mapping.map(pool.getResult(), mean);
  mapping.map((*std::prev(poolAt))->getResult(0), *x);
  for (Operation *op : llvm::make_range(std::next(poolAt), chain.end()))
    rewriter.clone(*op, mapping);
  SmallVector<Value> results;
  for (Value value : fused.getBody().front().getTerminator()->getOperands())
    results.push_back(mapping.lookup(value));
  rewriter.replaceOp(fused, results);
  return success();
}

/// depthwise_pointwise ([depthwise, activations, pointwise, epilogue]) and
/// bottleneck ([pointwise expansion, activations, convolution, activations,
/// pointwise projection, epilogue]) in tiles of output rows. A tile slices
/// the input rows its output rows need, expands them (recomputing the rows
/// shared with the next tile), pads them, runs the middle convolution and
/// the projection, and writes its rows of the result. The tiles at the
/// image's top and bottom, which pad rows, are emitted on their own; the
/// tiles between them, all alike, run in an scf.for.
LogicalResult expandRowTiles(IRRewriter &rewriter, cnn::FusedOp fused,
                             bool expandFirst) {
  SmallVector<Operation *> chain = fused.getChain();
  SmallVector<size_t> convAt;
  for (auto [position, op] : llvm::enumerate(chain))
    if (isa<cnn::Conv2DOp>(op))
      convAt.push_back(position);
  size_t needed = expandFirst ? 3 : 2;
  if (convAt.size() != needed || convAt.front() != 0)
    return fused.emitOpError("of kind ")
           << fused.getKindName() << " must start with a cnn.conv2d and hold "
           << needed << " of them";
  size_t middleAt = convAt[needed - 2], lastAt = convAt[needed - 1];
  auto middle = cast<cnn::Conv2DOp>(chain[middleAt]);
  Location loc = fused.getLoc();
  Block &body = fused.getBody().front();
  IRMapping mapping;
  mapping.map(body.getArguments(), fused.getInputs());
  rewriter.setInsertionPoint(fused);

  Value chainInput = chain.front()->getOperand(0);
  Value input = mapping.lookup(chainInput);
  auto resultType = cast<RankedTensorType>(fused.getResult(0).getType());
  int64_t inHeight = middle.getInput().getType().getDimSize(2);
  int64_t outRows = middle.getType().getDimSize(2);
  int64_t tileRows = outRows;
  if (IntegerAttr attr = fused.getTileRowsAttr())
    tileRows = std::clamp<int64_t>(attr.getInt(), 1, outRows);
  ArrayRef<int64_t> pad = middle.getPadding();
  int64_t strideH = middle.getStrides()[0];
  int64_t dilationH = middle.getDilations()[0];
  int64_t kernelH = middle.getKernelHeight();
  auto inRowsFor = [&](int64_t rows) {
    return (rows - 1) * strideH + (kernelH - 1) * dilationH + 1;
  };

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
  auto withRows = [](Type type, int64_t rows) {
    auto tensor = cast<RankedTensorType>(type);
    return RankedTensorType::get({tensor.getDimSize(0), tensor.getDimSize(1),
                                  rows, tensor.getDimSize(3)},
                                 tensor.getElementType());
  };

  // One tile: output rows [firstRow, firstRow + rows), written into `dest`.
  // `knownFirst` is firstRow when it is a constant: the tile may then reach
  // into the padding, which it pads itself.
  auto emitTile = [&](Value firstRow, std::optional<int64_t> knownFirst,
                      int64_t rows, Value dest) -> FailureOr<Value> {
    OpBuilder::InsertPoint insertionPoint = rewriter.saveInsertionPoint();
    int64_t inRows = inRowsFor(rows);
    int64_t sliceRows = inRows, topPad = 0, bottomPad = 0;
    Value sliceFirst;
    if (knownFirst) {
      int64_t start = *knownFirst * strideH - pad[0];
      int64_t low = std::max<int64_t>(0, start);
      int64_t high = std::min<int64_t>(inHeight, start + inRows);
      topPad = low - start;
      bottomPad = start + inRows - high;
      sliceRows = high - low;
      if (sliceRows <= 0)
        return fused.emitOpError("has a tile whose rows are all padding");
      sliceFirst = index(low);
    } else {
      sliceFirst = rewriter.createOrFold<arith::SubIOp>(
          loc,
          rewriter.createOrFold<arith::MulIOp>(loc, firstRow, index(strideH)),
          index(pad[0]));
    }
    IRMapping tile(mapping);
    Value rowsIn = rowSlice(input, sliceFirst, sliceRows);
    auto cloneSegment = [&](size_t begin, size_t end,
                            int64_t segmentRows) -> FailureOr<Value> {
      SmallVector<Operation *> clones;
      for (size_t position = begin; position < end; ++position) {
        Operation *op = chain[position];
        // The epilogue's operands with the output's rows (a residual) are
        // read in the tile's rows.
        IRMapping operands(tile);
        if (position > lastAt)
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
        clone->getResult(0).setType(
            withRows(op->getResult(0).getType(), segmentRows));
        if (position == middleAt)
          cast<cnn::Conv2DOp>(clone).setPaddingAttr(
              rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}));
        clones.push_back(clone);
      }
      FailureOr<Value> result = buildConvEpilogue(rewriter, clones);
      rewriter.restoreInsertionPoint(insertionPoint);
      if (succeeded(result))
        tile.map(chain[end - 1]->getResult(0), *result);
      return result;
    };
    // The middle convolution's input rows: expanded (when there is an
    // expansion), then padded.
    Value middleInput = rowsIn;
    if (expandFirst) {
      tile.map(chainInput, rowsIn);
      FailureOr<Value> expanded = cloneSegment(0, middleAt, sliceRows);
      if (failed(expanded))
        return failure();
      middleInput = *expanded;
    }
    Value padded = padSpatial(rewriter, loc, middleInput, topPad, pad[1],
                              bottomPad, pad[3], 0.0);
    tile.map(middle.getInput(), padded);
    if (failed(cloneSegment(middleAt, lastAt, rows)))
      return failure();
    FailureOr<Value> tileResult = cloneSegment(lastAt, chain.size(), rows);
    if (failed(tileResult))
      return failure();
    SmallVector<OpFoldResult> offsets, sizes, strides;
    rowRange(resultType, firstRow, rows, offsets, sizes, strides);
    return rewriter
        .create<tensor::InsertSliceOp>(loc, *tileResult, dest, offsets, sizes,
                                       strides)
        .getResult();
  };

  // Tiles whose input rows lie inside the image run in the loop.
  int64_t tiles = (outRows + tileRows - 1) / tileRows;
  auto isInterior = [&](int64_t t) {
    int64_t first = t * tileRows;
    int64_t start = first * strideH - pad[0];
    return first + tileRows <= outRows && start >= 0 &&
           start + inRowsFor(tileRows) <= inHeight;
  };
  int64_t interiorBegin = 0;
  while (interiorBegin < tiles && !isInterior(interiorBegin))
    ++interiorBegin;
  int64_t interiorEnd = interiorBegin;
  while (interiorEnd < tiles && isInterior(interiorEnd))
    ++interiorEnd;
  if (interiorEnd - interiorBegin < 2)
    interiorBegin = interiorEnd = tiles; // Every tile on its own.

  Value result = emptyTensor(rewriter, loc, resultType);
  auto emitKnown = [&](int64_t t) -> LogicalResult {
    int64_t first = t * tileRows;
    FailureOr<Value> tile = emitTile(
        index(first), first, std::min(tileRows, outRows - first), result);
    if (failed(tile))
      return failure();
    result = *tile;
    return success();
  };
  for (int64_t t = 0; t < std::min(interiorBegin, tiles); ++t)
    if (failed(emitKnown(t)))
      return failure();
  if (interiorBegin < interiorEnd) {
    auto loop = rewriter.create<scf::ForOp>(loc, index(interiorBegin),
                                            index(interiorEnd), index(1),
                                            ValueRange{result});
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(loop.getBody());
      Value firstRow = rewriter.create<arith::MulIOp>(
          loc, loop.getInductionVar(), index(tileRows));
      FailureOr<Value> tile = emitTile(firstRow, std::nullopt, tileRows,
                                       loop.getRegionIterArgs()[0]);
      if (failed(tile))
        return failure();
      rewriter.create<scf::YieldOp>(loc, *tile);
    }
    result = loop.getResult(0);
    for (int64_t t = interiorEnd; t < tiles; ++t)
      if (failed(emitKnown(t)))
        return failure();
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
    LogicalResult expanded = success();
    switch (fused.getFusionKind()) {
    case cnn::FusionKind::ConvEpilogue:
      expanded = failure(failed(expandConvEpilogue(rewriter, fused)));
      break;
    case cnn::FusionKind::DepthwisePointwise:
      expanded = expandRowTiles(rewriter, fused, /*expandFirst=*/false);
      break;
    case cnn::FusionKind::Bottleneck:
      expanded = expandRowTiles(rewriter, fused, /*expandFirst=*/true);
      break;
    case cnn::FusionKind::SqueezeExcite:
      expanded = expandSqueezeExcite(rewriter, fused);
      break;
    case cnn::FusionKind::Custom:
      inlineBody(rewriter, fused);
      break;
    }
    if (failed(expanded))
      return failure();
  }
  return success();
}

//===- BlockedKernelSupport.cpp - building blocked vector kernels ---------===//

#include "BlockedKernelSupport.h"
#include "ConvEpilogue.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace cnnc;

namespace cnnc::blocked {

Value rootBuffer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view || isa<memref::ViewOp>(def))
      break;
    value = view.getViewSource();
  }
  return value;
}

bool hasCnncAnnotation(Operation *op) {
  return llvm::any_of(op->getDiscardableAttrs(), [](NamedAttribute attr) {
    return attr.getName().strref().starts_with("cnnc.");
  });
}

//===----------------------------------------------------------------------===//
// BlockedEpilogue
//===----------------------------------------------------------------------===//

namespace {

bool isIdentity(AffineMap map, unsigned dims) {
  return map.getNumDims() == dims && map.isIdentity();
}

} // namespace

BlockedEpilogue::BlockedEpilogue(VectorEmitter &e, Operation *conv,
                                 Value output, int64_t lanes)
    : e(e), lanes(lanes) {
  neighbours =
      vectorize::findNeighbours(conv, output, vectorize::Layout::Blocked);
  if (neighbours.epilogue)
    for (OpOperand *input : neighbours.epilogue.getDpsInputOperands())
      inputs.push_back(input->get());
}

bool BlockedEpilogue::allowsFlattening() {
  if (!neighbours.epilogue)
    return true;
  SmallVector<AffineMap> maps = neighbours.epilogue.getIndexingMapsArray();
  for (OpOperand *input : neighbours.epilogue.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    if (isIdentity(map, 5)) {
      auto type = cast<MemRefType>(input->get().getType());
      if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
              type, {{0}, {1}, {2, 3}, {4}}))
        return false;
      continue;
    }
    if (vectorize::usesDim(map, 2) || vectorize::usesDim(map, 3))
      return false;
  }
  return true;
}

void BlockedEpilogue::flatten() {
  flattened = true;
  if (!neighbours.epilogue)
    return;
  SmallVector<AffineMap> maps = neighbours.epilogue.getIndexingMapsArray();
  for (size_t index = 0; index < inputs.size(); ++index)
    if (isIdentity(maps[index], 5))
      inputs[index] = e.b.create<memref::CollapseShapeOp>(
          e.loc, inputs[index],
          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4}});
}

Value BlockedEpilogue::initial(Value block) {
  if (neighbours.fillValue)
    return e.broadcast(neighbours.fillValue);
  if (neighbours.channelInit)
    return e.loadVector(neighbours.channelInit, {block, e.index(0)});
  return nullptr;
}

Value BlockedEpilogue::apply(Value accumulator, Value n, Value block,
                             ArrayRef<Value> pixel) {
  if (!neighbours.epilogue)
    return accumulator;
  Block &body = neighbours.epilogue.getRegion().front();
  SmallVector<AffineMap> maps = neighbours.epilogue.getIndexingMapsArray();
  Value zero = e.index(0);
  IRMapping mapping;
  for (auto [index, buffer] : llvm::enumerate(inputs)) {
    AffineMap map = maps[index];
    SmallVector<Value> indices;
    bool vector = false;
    if (flattened && isIdentity(map, 5)) {
      indices = {n, block, pixel[0], zero};
      vector = true;
    } else {
      for (AffineExpr expr : map.getResults()) {
        auto dim = dyn_cast<AffineDimExpr>(expr);
        if (!dim) {
          indices.push_back(zero);
          continue;
        }
        switch (dim.getPosition()) {
        case 0:
          indices.push_back(n);
          break;
        case 1:
          indices.push_back(block);
          break;
        case 2:
        case 3:
          // Only without flattening (allowsFlattening checked it).
          indices.push_back(pixel[dim.getPosition() - 2]);
          break;
        default:
          indices.push_back(zero);
          vector = true;
        }
      }
    }
    Value value = vector ? e.loadVector(buffer, indices)
                         : e.broadcast(e.loadScalar(buffer, indices));
    mapping.map(body.getArgument(index), value);
  }
  mapping.map(body.getArgument(inputs.size()), accumulator);
  for (Operation &op : body.without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      mapping.map(constant.getResult(),
                  e.b.create<arith::ConstantOp>(
                      e.loc, DenseElementsAttr::get(
                                 VectorType::get({lanes}, constant.getType()),
                                 constant.getValue())));
      continue;
    }
    // Scalars defined outside the body (hoisted constants) are broadcast.
    for (Value operand : op.getOperands())
      if (!mapping.contains(operand))
        mapping.map(
            operand,
            e.b.create<vector::BroadcastOp>(
                e.loc, VectorType::get({lanes}, operand.getType()), operand));
    Operation *clone = e.b.clone(op, mapping);
    for (Value result : clone->getResults())
      result.setType(VectorType::get({lanes}, result.getType()));
  }
  return mapping.lookup(body.getTerminator()->getOperand(0));
}

void BlockedEpilogue::accumulateChannelSum(ArrayRef<Value> results, Value n,
                                           Value block) {
  if (!neighbours.channelSum || results.empty())
    return;
  // Pairwise, so the rounding error grows with the log of the pixel count.
  Value tile = e.combinePairwise(results, [&](Value a, Value b) -> Value {
    return e.b.create<arith::AddFOp>(e.loc, a, b);
  });
  Value sums = neighbours.channelSum.getDpsInits()[0];
  Value zero = e.index(0);
  SmallVector<Value> at = {n, block, zero, zero, zero};
  Value total = e.b.create<arith::AddFOp>(e.loc, e.loadVector(sums, at), tile);
  e.storeVector(total, sums, at);
}

void BlockedEpilogue::eraseAbsorbed(PatternRewriter &rewriter) {
  neighbours.eraseAbsorbed(rewriter);
}

//===----------------------------------------------------------------------===//
// KernelContext
//===----------------------------------------------------------------------===//

KernelContext::KernelContext(PatternRewriter &rewriter, Location loc,
                             Operation *conv, const ConvSpec &spec, Value input,
                             Value filter, Value output)
    : e(rewriter, loc, cast<MemRefType>(output.getType()).getShape()[4]),
      spec(spec), input(input), filter(filter), output(output),
      epilogue(e, conv, output,
               cast<MemRefType>(output.getType()).getShape()[4]) {
  ArrayRef<int64_t> outShape = cast<MemRefType>(output.getType()).getShape();
  ArrayRef<int64_t> filterShape = cast<MemRefType>(filter.getType()).getShape();
  ArrayRef<int64_t> inShape = cast<MemRefType>(input.getType()).getShape();
  lanes = outShape[4];
  batch = outShape[0];
  outBlocks = outShape[1];
  rows = outShape[2];
  columns = outShape[3];
  bool pointwise =
      (spec.form == ConvForm::Dense || spec.form == ConvForm::PlainInput) &&
      filterShape[2] == 1 && filterShape[3] == 1 && spec.strides[0] == 1 &&
      spec.strides[1] == 1 && inShape[2] == rows && inShape[3] == columns;
  auto outType = cast<MemRefType>(output.getType());
  auto inType = cast<MemRefType>(input.getType());
  bool plain = spec.form == ConvForm::PlainInput;
  SmallVector<ReassociationIndices> blockedImage = {{0}, {1}, {2, 3}, {4}};
  SmallVector<ReassociationIndices> plainImage = {{0}, {1}, {2, 3}};
  if (pointwise && rows > 1 &&
      memref::CollapseShapeOp::isGuaranteedCollapsible(outType, blockedImage) &&
      memref::CollapseShapeOp::isGuaranteedCollapsible(
          inType, plain ? plainImage : blockedImage) &&
      epilogue.allowsFlattening()) {
    flattened = true;
    this->output =
        e.b.create<memref::CollapseShapeOp>(loc, output, blockedImage);
    this->input = e.b.create<memref::CollapseShapeOp>(
        loc, input, plain ? plainImage : blockedImage);
    epilogue.flatten();
    columns = rows * columns;
    rows = 1;
  }
}

SmallVector<Value> KernelContext::inputPixel(Value n, Value unit, Value row,
                                             int64_t r, Value column, int64_t c,
                                             Value kh, Value kw) {
  if (flattened)
    return {n, unit, e.add(column, c)};
  Value inRow = e.add(e.mul(e.add(row, r), spec.strides[0]),
                      e.mul(kh, spec.dilations[0]));
  Value inColumn = e.add(e.mul(e.add(column, c), spec.strides[1]),
                         e.mul(kw, spec.dilations[1]));
  return {n, unit, inRow, inColumn};
}

SmallVector<Value> KernelContext::inputColumn(Value n, Value unit, Value row,
                                              int64_t r, Value column, Value kh,
                                              int64_t q) {
  Value inRow = e.add(e.mul(e.add(row, r), spec.strides[0]),
                      e.mul(kh, spec.dilations[0]));
  Value inColumn = e.add(e.mul(column, spec.strides[1]), q);
  return {n, unit, inRow, inColumn};
}

Value KernelContext::initialAccumulator(Value n, Value block, Value row,
                                        int64_t r, Value column, int64_t c) {
  if (Value initial = epilogue.initial(block))
    return initial;
  SmallVector<Value> at = {n, block};
  if (!flattened)
    at.push_back(e.add(row, r));
  at.push_back(e.add(column, c));
  at.push_back(e.index(0));
  return e.loadVector(output, at);
}

SmallVector<Value> KernelContext::initialTile(Value n, Value block, Value row,
                                              int64_t rows, Value column,
                                              int64_t columns) {
  SmallVector<Value> tile;
  for (int64_t p = 0; p < rows * columns; ++p)
    tile.push_back(
        initialAccumulator(n, block, row, p / columns, column, p % columns));
  return tile;
}

void KernelContext::storeTile(ArrayRef<Value> accumulators, Value n,
                              Value block, Value row, int64_t rows,
                              Value column, int64_t columns) {
  SmallVector<Value> results;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) {
      SmallVector<Value> pixel;
      if (!flattened)
        pixel.push_back(e.add(row, r));
      pixel.push_back(e.add(column, c));
      Value result =
          epilogue.apply(accumulators[r * columns + c], n, block, pixel);
      SmallVector<Value> at = {n, block};
      at.append(pixel);
      at.push_back(e.index(0));
      e.storeVector(result, output, at);
      results.push_back(result);
    }
  epilogue.accumulateChannelSum(results, n, block);
}

SmallVector<Value> KernelContext::initialTiles(Value n, Value block,
                                               int64_t blocks, Value row,
                                               int64_t rows, Value column,
                                               int64_t columns) {
  SmallVector<Value> tiles;
  for (int64_t b = 0; b < blocks; ++b)
    llvm::append_range(
        tiles, initialTile(n, e.add(block, b), row, rows, column, columns));
  return tiles;
}

void KernelContext::storeTiles(ArrayRef<Value> accumulators, Value n,
                               Value block, int64_t blocks, Value row,
                               int64_t rows, Value column, int64_t columns) {
  int64_t pixels = rows * columns;
  for (int64_t b = 0; b < blocks; ++b)
    storeTile(accumulators.slice(b * pixels, pixels), n, e.add(block, b), row,
              rows, column, columns);
}

SmallVector<SmallVector<std::pair<int64_t, int64_t>>>
columnReaders(int64_t columns, int64_t stride, int64_t kernelW,
              int64_t dilation) {
  SmallVector<SmallVector<std::pair<int64_t, int64_t>>> readers(
      (columns - 1) * stride + (kernelW - 1) * dilation + 1);
  for (int64_t c = 0; c < columns; ++c)
    for (int64_t kw = 0; kw < kernelW; ++kw)
      readers[c * stride + kw * dilation].push_back({c, kw});
  return readers;
}

/// Fewer tiles of images, blocks and rows than this, and column tiles run
/// in parallel too: enough chunks for a few threads to balance.
constexpr int64_t kFewTiles = 16;

void KernelContext::forEachTile(int64_t blocks, int64_t tileRows,
                                int64_t tileColumns, TileBody body) {
  // The tiles of whole blocks and rows, then the remainders, each range
  // (begin, tiles, size) along its dimension.
  struct Range {
    int64_t begin, tiles, size;
  };
  auto ranges = [](int64_t extent, int64_t size) {
    size = std::max<int64_t>(1, std::min(size, extent));
    SmallVector<Range> result = {{0, extent / size, size}};
    if (extent % size)
      result.push_back({extent / size * size, 1, extent % size});
    return result;
  };
  // Channel sums add up every pixel of a block: its rows stay in one
  // iteration, so that no two threads update one sum. Otherwise images,
  // block tiles and row tiles all run in parallel, and column tiles too
  // where those are few (a flattened image is one row).
  bool rowsInParallel = !epilogue.sumsChannels();
  for (Range blockRange : ranges(outBlocks, blocks)) {
    if (!rowsInParallel) {
      e.parallel({batch, blockRange.tiles}, [&](ValueRange at) {
        Value block = e.add(e.mul(at[1], blockRange.size), blockRange.begin);
        e.blocks(rows, tileRows, [&](Value row, int64_t rowCount) {
          e.blocks(columns, tileColumns, [&](Value column, int64_t count) {
            body(at[0], block, blockRange.size, row, rowCount, column, count);
          });
        });
      });
      continue;
    }
    for (Range rowRange : ranges(rows, tileRows)) {
      Value rowBegin = e.index(rowRange.begin);
      auto blockAndRow = [&](ValueRange at) {
        return std::make_pair(
            e.add(e.mul(at[1], blockRange.size), blockRange.begin),
            e.add(e.mul(at[2], rowRange.size), rowBegin));
      };
      if (batch * blockRange.tiles * rowRange.tiles >= kFewTiles) {
        e.parallel(
            {batch, blockRange.tiles, rowRange.tiles}, [&](ValueRange at) {
              auto [block, row] = blockAndRow(at);
              e.blocks(columns, tileColumns, [&](Value column, int64_t count) {
                body(at[0], block, blockRange.size, row, rowRange.size, column,
                     count);
              });
            });
        continue;
      }
      for (Range columnRange : ranges(columns, tileColumns))
        e.parallel({batch, blockRange.tiles, rowRange.tiles, columnRange.tiles},
                   [&](ValueRange at) {
                     auto [block, row] = blockAndRow(at);
                     Value column = e.add(e.mul(at[3], columnRange.size),
                                          columnRange.begin);
                     body(at[0], block, blockRange.size, row, rowRange.size,
                          column, columnRange.size);
                   });
    }
  }
}

} // namespace cnnc::blocked

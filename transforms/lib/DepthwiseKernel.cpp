//===- DepthwiseKernel.cpp - the NCHW depthwise kernel --------------------===//
//
// A depthwise convolution in NCHW runs along each channel's rows: vectors
// of output columns accumulated over the taps, each tap one load of input
// columns and a multiply-add by the tap's weight.
//
// Padding is handled here, not by a padded copy of the input: bufferizing
// tensor.pad fills a new buffer with zeros and copies the input into its
// interior, a pass over the input and one over a slightly larger buffer,
// which for a depthwise convolution (a few flops per element) costs about
// as much as the convolution itself. The kernel instead splits the output
// into rows and column blocks whose taps all read inside the input (loops
// without checks) and the few at the borders, unrolled, whose taps outside
// the input are skipped and whose partially outside vectors are loaded from
// their first inside column and shifted into place. Upstream's
// vectorization has no such border split, so this is cnnc's own.
//
//===----------------------------------------------------------------------===//

#include "DepthwiseKernel.h"
#include "BlockedKernelSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::vectorize;

namespace {

/// Whether `op` sets every element of `buffer` to +0.0 or -0.0.
bool isZeroFill(Operation *op, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getDpsInits()[0] == buffer &&
           matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat());
  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (!map.getInputs().empty() || map.getInit() != buffer)
      return false;
    auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
    return yield.getNumOperands() == 1 &&
           matchPattern(yield.getOperand(0), m_AnyZeroFloat());
  }
  return false;
}

bool isFunctionArgument(Value value) {
  auto argument = dyn_cast<BlockArgument>(value);
  return argument && isa<func::FuncOp>(argument.getOwner()->getParentOp());
}

/// Whether `op` (or an op nested in it) may write memory of `buffer`, a
/// function argument: a write to a view of another argument, of an
/// allocation or of the arena does not; an op whose effects are unknown
/// may.
bool mayWrite(Operation *op, Value buffer) {
  WalkResult result = op->walk([&](Operation *nested) {
    if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects)
      return WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (const MemoryEffects::EffectInstance &effect : instances) {
      if (!isa<MemoryEffects::Write>(effect.getEffect()))
        continue;
      Value written = effect.getValue();
      if (!written)
        return WalkResult::interrupt();
      Value base = blocked::rootBuffer(written);
      if (base == buffer ||
          !(isFunctionArgument(base) ||
            isa_and_nonnull<memref::AllocOp, memref::AllocaOp, memref::ViewOp>(
                base.getDefiningOp())))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

} // namespace

std::optional<ZeroPaddedArgument>
cnnc::vectorize::findZeroPaddedArgument(Value padded, Operation *conv) {
  if (!isa_and_nonnull<memref::ViewOp, memref::AllocOp>(padded.getDefiningOp()))
    return std::nullopt;
  Operation *fill = nullptr;
  memref::SubViewOp interior;
  for (Operation *user : padded.getUsers()) {
    if (user == conv || isa<memref::DeallocOp>(user))
      continue;
    if (auto view = dyn_cast<memref::SubViewOp>(user)) {
      if (interior)
        return std::nullopt;
      interior = view;
    } else if (isZeroFill(user, padded) && !fill) {
      fill = user;
    } else {
      return std::nullopt;
    }
  }
  if (!fill || !interior || !interior->hasOneUse())
    return std::nullopt;
  auto copy = dyn_cast<linalg::CopyOp>(*interior->getUsers().begin());
  if (!copy || copy.getDpsInits()[0] != interior.getResult())
    return std::nullopt;
  // Only a function argument: a buffer of the arena may be reused once the
  // copy, its last reader as far as memory planning knew, has run.
  Value source = copy.getDpsInputs()[0];
  if (!isFunctionArgument(source) || !isUsableBuffer(source))
    return std::nullopt;
  // One block, in the order fill, copy, convolution, and nothing between
  // the copy and the convolution that may write the argument (an output's
  // out-parameter is an argument too).
  Block *block = conv->getBlock();
  if (fill->getBlock() != block || copy->getBlock() != block ||
      interior->getBlock() != block || !fill->isBeforeInBlock(copy) ||
      !copy->isBeforeInBlock(conv))
    return std::nullopt;
  for (Operation *op = copy->getNextNode(); op != conv; op = op->getNextNode())
    if (mayWrite(op, source))
      return std::nullopt;
  // The interior: the whole argument at static offsets of the image only.
  auto sourceType = cast<MemRefType>(source.getType());
  auto paddedType = cast<MemRefType>(padded.getType());
  if (sourceType.getRank() != 4 || paddedType.getRank() != 4 ||
      !interior.hasUnitStride() ||
      interior.getStaticSizes() != sourceType.getShape())
    return std::nullopt;
  ArrayRef<int64_t> offsets = interior.getStaticOffsets();
  if (offsets[0] != 0 || offsets[1] != 0 || ShapedType::isDynamic(offsets[2]) ||
      ShapedType::isDynamic(offsets[3]) ||
      sourceType.getDimSize(0) != paddedType.getDimSize(0) ||
      sourceType.getDimSize(1) != paddedType.getDimSize(1))
    return std::nullopt;
  return ZeroPaddedArgument{
      source, offsets[2], offsets[3], {copy, interior, fill}};
}

void cnnc::vectorize::emitDepthwiseKernel(VectorEmitter &e,
                                          const DepthwiseProblem &p,
                                          const ConvNeighbours &neighbours) {
  auto shape = [](Value buffer) {
    return cast<MemRefType>(buffer.getType()).getShape();
  };
  ArrayRef<int64_t> inShape = shape(p.input), fShape = shape(p.filter),
                    outShape = shape(p.output);
  int64_t inHeight = inShape[2], inWidth = inShape[3];
  int64_t kernelH = fShape[1], kernelW = fShape[2];
  int64_t rows = outShape[2], columns = outShape[3];
  int64_t lanes = e.getLanes();
  int64_t vectors = std::clamp<int64_t>((columns + lanes - 1) / lanes, 1, 4);
  int64_t block = vectors * lanes;
  // The input row and column that output row/column `o` reads at tap `k`.
  auto inRowOf = [&](int64_t o, int64_t k) {
    return o * p.strides[0] + k * p.dilations[0] - p.padTop;
  };
  auto inColumnOf = [&](int64_t o, int64_t k) {
    return o * p.strides[1] + k * p.dilations[1] - p.padLeft;
  };
  auto rowInside = [&](int64_t r) {
    return inRowOf(r, 0) >= 0 && inRowOf(r, kernelH - 1) < inHeight;
  };
  auto blockInside = [&](int64_t start) {
    return start + block <= columns && inColumnOf(start, 0) >= 0 &&
           inColumnOf(start + block - 1, kernelW - 1) < inWidth;
  };
  // The inside rows and blocks are one range each: those before it and
  // after it are the borders.
  int64_t firstRow = 0, endRow = rows;
  while (firstRow < rows && !rowInside(firstRow))
    ++firstRow;
  while (endRow > firstRow && !rowInside(endRow - 1))
    --endRow;
  int64_t blocks = (columns + block - 1) / block, firstBlock = 0,
          endBlock = blocks;
  while (firstBlock < blocks && !blockInside(firstBlock * block))
    ++firstBlock;
  while (endBlock > firstBlock && !blockInside((endBlock - 1) * block))
    --endBlock;

  TileEpilogue epilogue(e, neighbours, /*flattened=*/false);
  // One tile: `vectors` vectors of output row `row` from column `column`,
  // `valid` columns of them in the output. `staticRow` / `staticColumn`
  // are given at the borders, where the taps are checked.
  auto emitTile = [&](Value n, Value c, Value row,
                      std::optional<int64_t> staticRow, Value column,
                      std::optional<int64_t> staticColumn, int64_t valid) {
    auto validLanes = [&](int64_t v) { return valid - v * lanes; };
    SmallVector<Value> accumulators;
    for (int64_t v = 0; v < vectors; ++v) {
      Value initial = epilogue.initial(c);
      accumulators.push_back(
          initial
              ? initial
              : e.loadOutput(p.output, {n, c, row, e.add(column, v * lanes)},
                             validLanes(v)));
    }
    // Tap (kh, kw) of vector v: lanes [first, end) read inside the input.
    auto tap = [&](Value inRow, int64_t kw, Value kwValue, int64_t v,
                   Value weight, Value accumulator) -> Value {
      if (!staticColumn) {
        Value inColumn = e.add(
            e.add(e.mul(column, p.strides[1]), e.mul(kwValue, p.dilations[1])),
            v * lanes * p.strides[1] - p.padLeft);
        return e.multiplyAdd(accumulator, weight,
                             e.loadRow(p.input, {n, c, inRow}, inColumn,
                                       p.strides[1], validLanes(v)));
      }
      int64_t first = 0, end = std::min(lanes, validLanes(v));
      int64_t start = *staticColumn + v * lanes;
      while (first < end && inColumnOf(start + first, kw) < 0)
        ++first;
      while (end > first && inColumnOf(start + end - 1, kw) >= inWidth)
        --end;
      if (first >= end)
        return accumulator;
      Value pixels = e.loadRow(p.input, {n, c, inRow},
                               e.index(inColumnOf(start + first, kw)),
                               p.strides[1], end - first);
      if (first > 0) {
        // Lane j takes lane j - first; the first lanes are zeros.
        SmallVector<int64_t> picks;
        for (int64_t j = 0; j < lanes; ++j)
          picks.push_back(j < first ? j : lanes + j - first);
        pixels =
            e.b.create<vector::ShuffleOp>(e.loc, e.zeros(lanes), pixels, picks);
      }
      return e.multiplyAdd(accumulator, weight, pixels);
    };
    if (!staticRow && !staticColumn) {
      accumulators = e.loopCarrying(
          kernelH, accumulators, [&](Value kh, ValueRange carried) {
            return e.loopCarrying(
                kernelW, carried, [&](Value kw, ValueRange carried) {
                  Value inRow = e.add(e.add(e.mul(row, p.strides[0]),
                                            e.mul(kh, p.dilations[0])),
                                      -p.padTop);
                  Value weight = e.broadcastScalar(p.filter, {c, kh, kw});
                  SmallVector<Value> next(carried);
                  for (int64_t v = 0; v < vectors; ++v)
                    next[v] = tap(inRow, 0, kw, v, weight, next[v]);
                  return next;
                });
          });
    } else {
      for (int64_t kh = 0; kh < kernelH; ++kh) {
        Value inRow;
        if (staticRow) {
          int64_t r = inRowOf(*staticRow, kh);
          if (r < 0 || r >= inHeight)
            continue;
          inRow = e.index(r);
        } else {
          inRow =
              e.add(e.mul(row, p.strides[0]), kh * p.dilations[0] - p.padTop);
        }
        for (int64_t kw = 0; kw < kernelW; ++kw) {
          Value kwValue = e.index(kw);
          Value weight = e.broadcastScalar(p.filter, {c, e.index(kh), kwValue});
          for (int64_t v = 0; v < vectors; ++v)
            accumulators[v] =
                tap(inRow, kw, kwValue, v, weight, accumulators[v]);
        }
      }
    }
    SmallVector<Value> vectorColumns(vectors);
    epilogue.store(
        accumulators, valid, p.output, n, row, [&] { return c; },
        [&](int64_t v) {
          if (!vectorColumns[v])
            vectorColumns[v] = e.add(column, v * lanes);
          return vectorColumns[v];
        });
  };

  auto emitRow = [&](Value n, Value c, Value row,
                     std::optional<int64_t> staticRow) {
    auto borderBlock = [&](int64_t b) {
      int64_t start = b * block;
      emitTile(n, c, row, staticRow, e.index(start), start,
               std::min(block, columns - start));
    };
    for (int64_t b = 0; b < firstBlock; ++b)
      borderBlock(b);
    e.loop(firstBlock * block, endBlock * block, block, [&](Value column) {
      emitTile(n, c, row, staticRow, column, std::nullopt, block);
    });
    for (int64_t b = std::max(endBlock, firstBlock); b < blocks; ++b)
      borderBlock(b);
  };

  // Images and channels in parallel; a channel's rows in one thread (its
  // channel sum, if the kernel adds one up).
  e.parallel({outShape[0], outShape[1]}, [&](ValueRange at) {
    Value n = at[0], c = at[1];
    for (int64_t r = 0; r < firstRow; ++r)
      emitRow(n, c, e.index(r), r);
    e.loop(firstRow, endRow, 1,
           [&](Value row) { emitRow(n, c, row, std::nullopt); });
    for (int64_t r = std::max(endRow, firstRow); r < rows; ++r)
      emitRow(n, c, e.index(r), r);
  });
}

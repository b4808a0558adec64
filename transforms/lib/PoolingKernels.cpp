//===- PoolingKernels.cpp - window pooling in the blocked layout ----------===//
//
// A max or average pool over a KxK window in the channel-blocked layout is
// a linalg.generic out[n, b, oh, ow, l] = f(out, in[n, b, oh * s + kh * d,
// ow * s + kw * d, l]) with the window's (kh, kw) as reduction loops and the
// block's lanes innermost. As loops, each lane was read, combined and
// stored one at a time for every tap (LLVM could not vectorize along the
// lanes: the output is read and written inside the window loops, and it
// may alias the input in the arena). Here each output pixel's block is one
// vector: started from the fill that initializes the output (which is then
// erased) or read once, combined with the window's vectors, stored once;
// the rows of output pixels are parallel. The taps are combined in the
// generic's own order (kh, then kw), so the result is the same bit for bit.
// Max and min are the exception, as their order cannot change the result:
// each input column's window rows are combined once and shared by the
// output pixels of a tile whose windows overlap (a 3x3 stride-2 pool takes
// 17 columns for 8 outputs, not 8 x 3), and in balanced trees. As a chain
// of 9 taps, LLVM's NaN-propagating maximum (six dependent instructions
// with AVX-512) kept ShuffleNetV2's 3x3 pool latency-bound at 3.65% of
// the model.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// Windows with more taps than this run as a loop over their rows.
constexpr int64_t kMaxUnrolledTaps = 32;

/// The coefficients of the loop dimensions in `expr`, if it is a linear
/// combination of them with no constant term.
std::optional<SmallVector<int64_t>> linearCoefficients(AffineExpr expr,
                                                       unsigned dims) {
  MLIRContext *context = expr.getContext();
  auto evaluate = [&](ArrayRef<int64_t> values) -> std::optional<int64_t> {
    SmallVector<AffineExpr> replacements;
    for (int64_t value : values)
      replacements.push_back(getAffineConstantExpr(value, context));
    auto folded = dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(expr.replaceDims(replacements), dims, 0));
    if (!folded)
      return std::nullopt;
    return folded.getValue();
  };
  if (!expr.isPureAffine())
    return std::nullopt;
  SmallVector<int64_t> point(dims, 0);
  std::optional<int64_t> constant = evaluate(point);
  if (!constant || *constant != 0)
    return std::nullopt;
  SmallVector<int64_t> coefficients;
  for (unsigned i = 0; i < dims; ++i) {
    point.assign(dims, 0);
    point[i] = 1;
    std::optional<int64_t> value = evaluate(point);
    if (!value)
      return std::nullopt;
    coefficients.push_back(*value);
  }
  return coefficients;
}

/// A pooling generic's window: the input coordinate of output row (column)
/// oh, tap kh is oh * stride + kh * dilation.
struct Window {
  int64_t strideH, strideW, dilationH, dilationW;
};

/// Whether `generic` pools a blocked buffer over a window: loops (n, b, oh,
/// ow, kh, kw, l), iterators (parallel x 4, reduction x 2, parallel), maps
/// in (n, b, oh * sh + kh * dh, ow * sw + kw * dw, l), window (kh, kw),
/// out (n, b, oh, ow, l), and a body of one element-wise op on (out, in).
std::optional<Window> matchBlockedPool(linalg::GenericOp generic) {
  using utils::IteratorType;
  const SmallVector<IteratorType> expected = {
      IteratorType::parallel, IteratorType::parallel,  IteratorType::parallel,
      IteratorType::parallel, IteratorType::reduction, IteratorType::reduction,
      IteratorType::parallel};
  if (!generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1 ||
      generic.getIteratorTypesArray() != expected)
    return std::nullopt;
  MLIRContext *context = generic.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps[1] != AffineMap::get(7, 0, {d(4), d(5)}, context) ||
      maps[2] != AffineMap::get(7, 0, {d(0), d(1), d(2), d(3), d(6)}, context))
    return std::nullopt;
  AffineMap in = maps[0];
  if (in.getNumResults() != 5 || in.getResult(0) != d(0) ||
      in.getResult(1) != d(1) || in.getResult(4) != d(6))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> rows =
      linearCoefficients(in.getResult(2), 7);
  std::optional<SmallVector<int64_t>> columns =
      linearCoefficients(in.getResult(3), 7);
  if (!rows || !columns)
    return std::nullopt;
  // Rows depend on oh and kh only, columns on ow and kw only.
  for (unsigned i = 0; i < 7; ++i)
    if (((*rows)[i] != 0 && i != 2 && i != 4) ||
        ((*columns)[i] != 0 && i != 3 && i != 5))
      return std::nullopt;
  Window window{(*rows)[2], (*columns)[3], (*rows)[4], (*columns)[5]};
  if (window.strideH <= 0 || window.strideW <= 0 || window.dilationH <= 0 ||
      window.dilationW <= 0)
    return std::nullopt;
  // out = f(out, in) in either order, with an element-wise op.
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return std::nullopt;
  Operation &op = body.front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (op.getNumOperands() != 2 || op.getNumResults() != 1 ||
      yield.getOperand(0) != op.getResult(0) ||
      !op.hasTrait<OpTrait::Elementwise>() ||
      !op.hasTrait<OpTrait::Vectorizable>() ||
      !op.getResult(0).getType().isF32())
    return std::nullopt;
  Value out = body.getArgument(2), input = body.getArgument(0);
  if (!((op.getOperand(0) == out && op.getOperand(1) == input) ||
        (op.getOperand(0) == input && op.getOperand(1) == out)))
    return std::nullopt;
  return window;
}

/// Whether `op` combines values in an order-free way: IEEE maximum and
/// minimum (NaN wins whatever its place, -0 < +0). maxnumf and minnumf
/// need not be: either zero may come out of max(+0, -0).
bool isOrderFree(Operation &op) {
  return isa<arith::MaximumFOp, arith::MinimumFOp>(op);
}

/// Output pixels of a row tile whose input columns (window rows combined)
/// and outputs stay in registers, 4 left for loads and temporaries: the
/// most up to 16 (beyond, a tile shares no more columns per output), or a
/// count close to it that divides the row, so that no partial tile needs
/// code of its own.
int64_t chooseSharedTile(int64_t registers, int64_t columns, int64_t kernelW,
                         const Window &window) {
  auto span = [&](int64_t pixels) {
    return (pixels - 1) * window.strideW + (kernelW - 1) * window.dilationW + 1;
  };
  int64_t best = 1;
  for (int64_t pixels = 2; pixels <= std::min<int64_t>(columns, 16); ++pixels)
    if (span(pixels) + pixels <= registers - 4)
      best = pixels;
  for (int64_t pixels = best; pixels >= (best + 1) / 2 && pixels > 1; --pixels)
    if (columns % pixels == 0)
      return pixels;
  return best;
}

struct BlockedPoolLowering : OpRewritePattern<linalg::GenericOp> {
  BlockedPoolLowering(MLIRContext *context, int64_t registers)
      : OpRewritePattern(context), registers(registers) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (hasCnncAnnotation(op))
      return failure();
    std::optional<Window> window = matchBlockedPool(op);
    if (!window)
      return failure();
    Value input = op.getDpsInputs()[0], output = op.getDpsInits()[0];
    if (!isUsableBuffer(input) || !isUsableBuffer(output))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    // A pool that reads its own output would see the values it wrote.
    if (rootBuffer(input) == rootBuffer(output))
      return rewriter.notifyMatchFailure(op, "reads its own output");
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    int64_t kernelH = extents[4], kernelW = extents[5], lanes = extents[6];

    // The fill of the output becomes the vectors' start; the ops after the
    // pool run on their own.
    vectorize::ConvNeighbours neighbours =
        vectorize::findNeighbours(op, output, vectorize::Layout::Blocked);
    neighbours.epilogue = nullptr;
    neighbours.channelSum = nullptr;
    if (!neighbours.fillValue)
      neighbours.init = nullptr;

    Location loc = op.getLoc();
    VectorEmitter e(rewriter, loc, lanes);
    Block &body = op.getRegion().front();
    Operation &combine = body.front();
    auto apply = [&](Value accumulator, Value tap) {
      IRMapping mapping;
      mapping.map(body.getArgument(2), accumulator);
      mapping.map(body.getArgument(0), tap);
      SmallVector<Value> operands;
      for (Value operand : combine.getOperands())
        operands.push_back(mapping.lookup(operand));
      return rewriter
          .create(loc, combine.getName().getIdentifier(), operands,
                  {accumulator.getType()}, combine.getAttrs())
          ->getResult(0);
    };
    if (isOrderFree(combine) && kernelH * kernelW <= kMaxUnrolledTaps)
      emitSharedColumns(e, input, output, extents, *window, neighbours, apply);
    else
      emitTapByTap(e, input, output, extents, *window, neighbours, apply);
    neighbours.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    return success();
  }

private:
  using Combine = function_ref<Value(Value, Value)>;

  /// Max and min: each tile of output pixels combines each input column's
  /// window rows once, then each output its columns, in balanced trees.
  void emitSharedColumns(VectorEmitter &e, Value input, Value output,
                         ArrayRef<int64_t> extents, const Window &window,
                         const vectorize::ConvNeighbours &neighbours,
                         Combine apply) const {
    int64_t kernelH = extents[4], kernelW = extents[5];
    int64_t tile = chooseSharedTile(registers, extents[3], kernelW, window);
    e.parallel({extents[0], extents[1], extents[2]}, [&](ValueRange image) {
      Value n = image[0], block = image[1], row = image[2];
      Value zero = e.index(0);
      Value top = e.mul(row, window.strideH);
      e.blocks(extents[3], tile, [&](Value first, int64_t pixels) {
        Value left = e.mul(first, window.strideW);
        auto readers =
            columnReaders(pixels, window.strideW, kernelW, window.dilationW);
        SmallVector<Value> columnAt(readers.size());
        for (int64_t offset = 0, end = readers.size(); offset < end; ++offset) {
          if (readers[offset].empty())
            continue;
          SmallVector<Value> taps;
          for (int64_t kh = 0; kh < kernelH; ++kh)
            taps.push_back(e.loadVector(
                input, {n, block, e.add(top, kh * window.dilationH),
                        e.add(left, offset), zero}));
          columnAt[offset] = e.combinePairwise(taps, apply);
        }
        for (int64_t p = 0; p < pixels; ++p) {
          SmallVector<Value> taps;
          for (int64_t kw = 0; kw < kernelW; ++kw)
            taps.push_back(
                columnAt[p * window.strideW + kw * window.dilationW]);
          SmallVector<Value> at = {n, block, row, e.add(first, p), zero};
          Value start = neighbours.fillValue ? e.broadcast(neighbours.fillValue)
                                             : e.loadVector(output, at);
          e.storeVector(apply(start, e.combinePairwise(taps, apply)), output,
                        at);
        }
      });
    });
  }

  /// Any other combination: one output pixel at a time, the taps in the
  /// generic's order (kh, then kw).
  void emitTapByTap(VectorEmitter &e, Value input, Value output,
                    ArrayRef<int64_t> extents, const Window &window,
                    const vectorize::ConvNeighbours &neighbours,
                    Combine apply) const {
    int64_t kernelH = extents[4], kernelW = extents[5];
    e.parallel({extents[0], extents[1], extents[2]}, [&](ValueRange image) {
      Value n = image[0], block = image[1], row = image[2];
      Value zero = e.index(0);
      e.loop(0, extents[3], 1, [&](Value column) {
        SmallVector<Value> at = {n, block, row, column, zero};
        Value accumulator = neighbours.fillValue
                                ? e.broadcast(neighbours.fillValue)
                                : e.loadVector(output, at);
        Value top = e.mul(row, window.strideH);
        Value left = e.mul(column, window.strideW);
        auto tapsOfRow = [&](Value inputRow, Value accumulator) {
          for (int64_t kw = 0; kw < kernelW; ++kw) {
            Value inputColumn = e.add(left, kw * window.dilationW);
            accumulator = apply(
                accumulator,
                e.loadVector(input, {n, block, inputRow, inputColumn, zero}));
          }
          return accumulator;
        };
        if (kernelH * kernelW <= kMaxUnrolledTaps) {
          for (int64_t kh = 0; kh < kernelH; ++kh)
            accumulator =
                tapsOfRow(e.add(top, kh * window.dilationH), accumulator);
        } else {
          accumulator =
              e.loopCarrying(
                   kernelH, {accumulator},
                   [&](Value kh, ValueRange carried) {
                     Value inputRow = e.add(top, e.mul(kh, window.dilationH));
                     return SmallVector<Value>{tapsOfRow(inputRow, carried[0])};
                   })
                  .front();
        }
        e.storeVector(accumulator, output, at);
      });
    });
  }

  int64_t registers;
};

} // namespace

void cnnc::blocked::populatePoolingKernelPatterns(RewritePatternSet &patterns,
                                                  int64_t registers) {
  patterns.add<BlockedPoolLowering>(patterns.getContext(), registers);
}

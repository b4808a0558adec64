//===- WinogradKernels.cpp - vector kernels of the Winograd transforms ----===//
//
// The input and output transforms that cnn-use-winograd builds, once they
// are on buffers, as straight-line vector code per tile: every vector holds
// the L channels of one block at one point of the tile, so each transform
// is a few adds and multiply-adds of whole vectors with the constant
// coefficients of B^T or A^T, in the separable form (rows, then columns),
// and needs no masks. The output transform takes over the convolution's
// init (fill or bias) and element-wise epilogue (cnnc.epilogue, e.g. ReLU
// or a residual add) like the direct kernels, and writes only the pixels
// inside the image. Both loop over images, blocks and rows of tiles in
// scf.parallel loops that the threads pass may split.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"
#include "Winograd.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// sum_k coefficients[k] * vectors[k], skipping zeros and multiplying by
/// +-1 as adds and subtracts.
Value combine(VectorEmitter &e, ArrayRef<double> coefficients,
              ArrayRef<Value> vectors) {
  Value sum;
  for (auto [c, v] : llvm::zip(coefficients, vectors)) {
    if (c == 0.0)
      continue;
    if (!sum) {
      if (c == 1.0)
        sum = v;
      else if (c == -1.0)
        sum = e.b.create<arith::NegFOp>(e.loc, v);
      else
        sum =
            e.b.create<arith::MulFOp>(e.loc, v,
                                      e.broadcast(e.b.create<arith::ConstantOp>(
                                          e.loc, e.b.getF32FloatAttr(c))));
      continue;
    }
    if (c == 1.0)
      sum = e.b.create<arith::AddFOp>(e.loc, sum, v);
    else if (c == -1.0)
      sum = e.b.create<arith::SubFOp>(e.loc, sum, v);
    else
      sum = e.multiplyAdd(sum, v,
                          e.broadcast(e.b.create<arith::ConstantOp>(
                              e.loc, e.b.getF32FloatAttr(c))));
  }
  return sum ? sum : e.zeros(e.getLanes());
}

/// The separable transform X -> T X T^T of a square tile `tile` (side n,
/// row-major) by the matrix `t` (n columns), keeping the first `keepRows` x
/// `keepColumns` of the result (row-major).
SmallVector<Value> transformTile(VectorEmitter &e, ArrayRef<double> t,
                                 int64_t n, ArrayRef<Value> tile,
                                 int64_t keepRows, int64_t keepColumns) {
  // First along the columns of each tile row: half[i][r] = sum_j t[r][j]
  // tile[i][j]; then along the rows: out[q][r] = sum_i t[q][i] half[i][r].
  SmallVector<Value> half(n * keepColumns);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < keepColumns; ++r)
      half[i * keepColumns + r] =
          combine(e, t.slice(r * n, n), tile.slice(i * n, n));
  SmallVector<Value> out;
  for (int64_t q = 0; q < keepRows; ++q)
    for (int64_t r = 0; r < keepColumns; ++r) {
      SmallVector<Value> column;
      for (int64_t i = 0; i < n; ++i)
        column.push_back(half[i * keepColumns + r]);
      out.push_back(combine(e, t.slice(q * n, n), column));
    }
  return out;
}

/// The tile m of a transform that cnn-use-winograd built: marked, with the
/// indexing maps it builds.
std::optional<int64_t> markedTile(linalg::GenericOp op, bool input) {
  auto *dialect = op->getContext()->getLoadedDialect<CnncDialect>();
  if (!dialect)
    return std::nullopt;
  IntegerAttr attr = input ? dialect->getWinogradInputAttrHelper().getAttr(op)
                           : dialect->getWinogradOutputAttrHelper().getAttr(op);
  if (!attr || !winograd::isSupported(attr.getInt()))
    return std::nullopt;
  int64_t m = attr.getInt();
  SmallVector<AffineMap> maps =
      input ? winograd::inputTransformMaps(m, op.getContext())
            : winograd::outputTransformMaps(m, op.getContext());
  if (op.getIndexingMapsArray() != maps)
    return std::nullopt;
  return m;
}

/// The op before `op` with memory effects, if it is a fill of `buffer`.
linalg::FillOp fillBefore(Operation *op, Value buffer) {
  Operation *previous = op->getPrevNode();
  while (previous && isMemoryEffectFree(previous))
    previous = previous->getPrevNode();
  auto fill = dyn_cast_or_null<linalg::FillOp>(previous);
  if (fill && fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == buffer)
    return fill;
  return {};
}

struct InputTransformLowering : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> m = markedTile(op, /*input=*/true);
    if (!m || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 3 ||
        op.getNumDpsInits() != 1)
      return failure();
    Value input = op.getDpsInputs()[0], output = op.getDpsInits()[0];
    if (!isUsableBuffer(input) || !isUsableBuffer(output))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    winograd::Matrices w = winograd::matricesFor(*m);
    int64_t a = w.alpha;
    // V [N, alpha, alpha, Cb, TH, TW, L] from in [N, Cb, Hp, Wp, L].
    ArrayRef<int64_t> shape = cast<MemRefType>(output.getType()).getShape();
    ArrayRef<int64_t> inShape = cast<MemRefType>(input.getType()).getShape();
    if (shape.size() != 7 || inShape.size() != 5 || shape[1] != a ||
        shape[2] != a || inShape[2] < shape[4] * *m + 2 ||
        inShape[3] < shape[5] * *m + 2 || inShape[4] != shape[6])
      return rewriter.notifyMatchFailure(op, "unexpected shapes");
    int64_t batch = shape[0], blocks = shape[3], tileRows = shape[4],
            tileColumns = shape[5];
    linalg::FillOp fill = fillBefore(op, output);
    rewriter.setInsertionPoint(op);
    VectorEmitter e(rewriter, op.getLoc(), shape[6]);
    e.parallel({batch, blocks, tileRows}, [&](ValueRange at) {
      Value n = at[0], cb = at[1], th = at[2];
      Value row = e.mul(th, *m);
      e.loop(0, tileColumns, 1, [&](Value tw) {
        Value column = e.mul(tw, *m);
        SmallVector<Value> tile;
        for (int64_t i = 0; i < a; ++i)
          for (int64_t j = 0; j < a; ++j)
            tile.push_back(e.loadVector(
                input, {n, cb, e.add(row, i), e.add(column, j), e.index(0)}));
        SmallVector<Value> v = transformTile(e, w.inputT, a, tile, a, a);
        for (int64_t i = 0; i < a; ++i)
          for (int64_t j = 0; j < a; ++j)
            e.storeVector(v[i * a + j], output,
                          {n, e.index(i), e.index(j), cb, th, tw, e.index(0)});
      });
    });
    // Every element of V is written: its zero fill is not needed.
    if (fill)
      rewriter.eraseOp(fill);
    rewriter.eraseOp(op);
    return success();
  }
};

struct OutputTransformLowering : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> m = markedTile(op, /*input=*/false);
    if (!m || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 3 ||
        op.getNumDpsInits() != 1)
      return failure();
    Value products = op.getDpsInputs()[0], output = op.getDpsInits()[0];
    if (!isUsableBuffer(products) || !isUsableBuffer(output))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    winograd::Matrices w = winograd::matricesFor(*m);
    int64_t a = w.alpha;
    // M [N, alpha, alpha, Ob, TH, TW, L] into out [N, Ob, Ho, Wo, L].
    ArrayRef<int64_t> shape = cast<MemRefType>(products.getType()).getShape();
    ArrayRef<int64_t> outShape = cast<MemRefType>(output.getType()).getShape();
    if (shape.size() != 7 || outShape.size() != 5 || shape[1] != a ||
        shape[2] != a || shape[3] != outShape[1] ||
        shape[4] * *m < outShape[2] || shape[5] * *m < outShape[3] ||
        shape[6] != outShape[4])
      return rewriter.notifyMatchFailure(op, "unexpected shapes");
    int64_t lanes = outShape[4], batch = outShape[0], blocks = outShape[1],
            rows = outShape[2], columns = outShape[3];
    rewriter.setInsertionPoint(op);
    VectorEmitter e(rewriter, op.getLoc(), lanes);
    BlockedEpilogue epilogue(e, op, output, lanes);
    // Tiles of one block may run on different threads: a channel sum over
    // the whole image runs after the kernel, on its own.
    epilogue.leaveChannelSum();

    auto emitTile = [&](Value n, Value ob, Value th, int64_t validRows,
                        Value column, int64_t validColumns) {
      Value tw = e.divide(column, *m);
      SmallVector<Value> tile;
      for (int64_t i = 0; i < a; ++i)
        for (int64_t j = 0; j < a; ++j)
          tile.push_back(e.loadVector(
              products, {n, e.index(i), e.index(j), ob, th, tw, e.index(0)}));
      SmallVector<Value> y =
          transformTile(e, w.outputT, a, tile, validRows, validColumns);
      Value row = e.mul(th, *m);
      Value initial = epilogue.initial(ob);
      for (int64_t r = 0; r < validRows; ++r)
        for (int64_t c = 0; c < validColumns; ++c) {
          Value pixelRow = e.add(row, r), pixelColumn = e.add(column, c);
          SmallVector<Value> at = {n, ob, pixelRow, pixelColumn, e.index(0)};
          Value start = initial ? initial : e.loadVector(output, at);
          Value result =
              e.b.create<arith::AddFOp>(e.loc, start, y[r * validColumns + c]);
          result = epilogue.apply(result, n, ob, {pixelRow, pixelColumn});
          e.storeVector(result, output, at);
        }
    };
    auto emitRow = [&](Value n, Value ob, Value th, int64_t validRows) {
      e.blocks(columns, *m, [&](Value column, int64_t validColumns) {
        emitTile(n, ob, th, validRows, column, validColumns);
      });
    };
    int64_t fullRows = rows / *m, lastRows = rows % *m;
    e.parallel({batch, blocks, fullRows},
               [&](ValueRange at) { emitRow(at[0], at[1], at[2], *m); });
    if (lastRows)
      e.parallel({batch, blocks}, [&](ValueRange at) {
        emitRow(at[0], at[1], e.index(fullRows), lastRows);
      });
    epilogue.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void cnnc::blocked::populateWinogradKernelPatterns(
    RewritePatternSet &patterns) {
  patterns.add<InputTransformLowering, OutputTransformLowering>(
      patterns.getContext());
}

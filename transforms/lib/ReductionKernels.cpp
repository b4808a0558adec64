//===- ReductionKernels.cpp - sums over the image, vectorized and blocked ===//
//
// A global average pool sums each channel over H x W: a linalg.generic
// out[n, c, 0, 0] += in[n, c, h, w] (NCHW), or out[n, b, 0, 0, l] +=
// in[n, b, h, w, l] (blocked). As loops, the sum runs one element at a time
// through one accumulator, which is slow and, on a 112 x 112 map, loses
// precision (a chain of 12544 additions). Here each channel (NCHW: vectors
// along the image; blocked: vectors along the lanes) is summed into four
// vector accumulators in blocks of kBlockVectors vectors, each block's
// partial sum then added to a running total, so no addition chain is longer
// than about kBlockVectors / 4 + HW / (kBlockVectors * lanes).
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

constexpr int64_t kAccumulators = 4;
constexpr int64_t kBlockVectors = 64;

/// Whether `generic` sums an image over its two spatial dimensions: NCHW
/// (n, c | h, w) or blocked (n, b | h, w | l), body out + in.
bool isImageSum(linalg::GenericOp generic, bool &blockedLayout) {
  if (!generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic->getContext()
          ->getOrLoadDialect<CnncDialect>()
          ->getChannelSumAttrHelper()
          .isAttrPresent(generic))
    return false;
  unsigned loops = generic.getNumLoops();
  if (loops != 4 && loops != 5)
    return false;
  blockedLayout = loops == 5;
  using utils::IteratorType;
  SmallVector<IteratorType> expected = {
      IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
      IteratorType::reduction};
  if (blockedLayout)
    expected.push_back(IteratorType::parallel);
  if (generic.getIteratorTypesArray() != expected)
    return false;
  MLIRContext *context = generic.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineExpr zero = getAffineConstantExpr(0, context);
  SmallVector<AffineExpr> sums = {d(0), d(1), zero, zero};
  if (blockedLayout)
    sums.push_back(d(4));
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!maps[0].isIdentity() ||
      maps[1] != AffineMap::get(loops, 0, sums, context))
    return false;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  return body.getOperations().size() == 2 && add &&
         ((add.getLhs() == body.getArgument(0) &&
           add.getRhs() == body.getArgument(1)) ||
          (add.getLhs() == body.getArgument(1) &&
           add.getRhs() == body.getArgument(0)));
}

struct ImageSumLowering : OpRewritePattern<linalg::GenericOp> {
  ImageSumLowering(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    bool blockedLayout = false;
    if (!isImageSum(op, blockedLayout))
      return failure();
    Value input = op.getDpsInputs()[0], sums = op.getDpsInits()[0];
    if (!isUsableBuffer(input) || !isUsableBuffer(sums))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    auto inType = cast<MemRefType>(input.getType());
    ArrayRef<int64_t> shape = inType.getShape();
    SmallVector<ReassociationIndices> image = {{0}, {1}, {2, 3}};
    if (blockedLayout)
      image.push_back({4});
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(inType, image))
      return rewriter.notifyMatchFailure(op, "image rows not contiguous");
    Location loc = op.getLoc();
    // Blocked: one vector per pixel, the block's lanes. NCHW: the image's
    // pixels in vectors, the last one masked.
    int64_t width = blockedLayout ? shape[4] : lanes;
    VectorEmitter e(rewriter, loc, width);
    Value flat = rewriter.create<memref::CollapseShapeOp>(loc, input, image);
    int64_t pixels = shape[2] * shape[3];
    int64_t vectors = blockedLayout ? pixels : (pixels + width - 1) / width;
    auto load = [&](Value n, Value c, Value v, int64_t valid) -> Value {
      if (blockedLayout)
        return e.loadVector(flat, {n, c, v, e.index(0)});
      return e.loadPrefix(flat, {n, c, e.mul(v, width)}, valid);
    };
    // Sums the vectors [begin, begin + count) into one vector, with
    // kAccumulators independent chains.
    auto sumRange = [&](Value n, Value c, Value begin, int64_t count,
                        int64_t lastValid) {
      // The vectors before a partial last one go in groups of
      // kAccumulators; the rest one by one.
      int64_t full = (count - (lastValid < width ? 1 : 0)) / kAccumulators;
      SmallVector<Value> init(kAccumulators, e.zeros(width));
      if (full > 0) {
        init = e.loopCarrying(full, init, [&](Value i, ValueRange carried) {
          SmallVector<Value> next(carried);
          Value base = e.add(begin, e.mul(i, kAccumulators));
          for (int64_t a = 0; a < kAccumulators; ++a)
            next[a] = rewriter.create<arith::AddFOp>(
                loc, next[a], load(n, c, e.add(base, a), width));
          return next;
        });
      }
      for (int64_t r = full * kAccumulators; r < count; ++r) {
        int64_t valid = r + 1 == count ? lastValid : width;
        Value v = load(n, c, e.add(begin, r), valid);
        int64_t a = r % kAccumulators;
        init[a] = rewriter.create<arith::AddFOp>(loc, init[a], v);
      }
      Value total = rewriter.create<arith::AddFOp>(loc, init[0], init[1]);
      Value other = rewriter.create<arith::AddFOp>(loc, init[2], init[3]);
      return rewriter.create<arith::AddFOp>(loc, total, other).getResult();
    };
    int64_t lastValid = blockedLayout ? width : pixels - (vectors - 1) * width;
    // Whole blocks in a loop; the rest (with the partial vector, if any)
    // after it.
    bool partial = lastValid < width;
    int64_t blocks = (vectors - (partial ? 1 : 0)) / kBlockVectors;
    int64_t rest = vectors - blocks * kBlockVectors;
    e.blocks(shape[0], 1, [&](Value n, int64_t) {
      e.blocks(shape[1], 1, [&](Value c, int64_t) {
        Value total = e.zeros(width);
        if (blocks > 0)
          total =
              e.loopCarrying(blocks, {total}, [&](Value i, ValueRange carried) {
                 Value part = sumRange(n, c, e.mul(i, kBlockVectors),
                                       kBlockVectors, width);
                 return SmallVector<Value>{
                     rewriter.create<arith::AddFOp>(loc, carried[0], part)};
               }).front();
        if (rest > 0)
          total = rewriter.create<arith::AddFOp>(
              loc, total,
              sumRange(n, c, e.index(blocks * kBlockVectors), rest, lastValid));
        Value zero = e.index(0);
        if (blockedLayout) {
          SmallVector<Value> at = {n, c, zero, zero, zero};
          e.storeVector(rewriter.create<arith::AddFOp>(
                            loc, e.loadVector(sums, at), total),
                        sums, at);
          return;
        }
        SmallVector<Value> at = {n, c, zero, zero};
        Value sum = rewriter.create<vector::ReductionOp>(
            loc, vector::CombiningKind::ADD, total, e.loadScalar(sums, at),
            arith::FastMathFlags::reassoc);
        rewriter.create<memref::StoreOp>(loc, sum, sums, at);
      });
    });
    rewriter.eraseOp(op);
    return success();
  }

  int64_t lanes;
};

} // namespace

void cnnc::blocked::populateReductionKernelPatterns(RewritePatternSet &patterns,
                                                    int64_t lanes) {
  patterns.add<ImageSumLowering>(patterns.getContext(), lanes);
}

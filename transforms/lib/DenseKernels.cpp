//===- DenseKernels.cpp - dense layers as vectorized dot products ---------===//
//
// A dense layer is linalg.matmul_transpose_b: out[m, n] += in[m, k] *
// weight[n, k], with the weight's rows contiguous along k. For the batch
// sizes of inference this is a matrix-vector product per image, bound by
// reading the weights once: R rows of the weight are multiplied by the same
// input vector into R vector accumulators (the input loaded once per step
// for all of them), each reduced to its output at the end. The rows' tails
// are masked. The accumulator starts from the output buffer, so the bias
// (or zero) that initialized it is kept.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

struct DenseLowering : OpRewritePattern<linalg::MatmulTransposeBOp> {
  DenseLowering(MLIRContext *context, int64_t lanes, int64_t registers)
      : OpRewritePattern(context), lanes(lanes), registers(registers) {}

  LogicalResult matchAndRewrite(linalg::MatmulTransposeBOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return failure();
    Value input = op.getDpsInputs()[0], weight = op.getDpsInputs()[1],
          output = op.getDpsInits()[0];
    if (!isUsableBuffer(input) || !isUsableBuffer(weight) ||
        !isUsableBuffer(output))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    ArrayRef<int64_t> in = cast<MemRefType>(input.getType()).getShape();
    ArrayRef<int64_t> out = cast<MemRefType>(output.getType()).getShape();
    int64_t batch = in[0], depth = in[1], features = out[1];
    // Rows per tile: accumulators, the input vector and a weight vector fit.
    int64_t rows = std::clamp<int64_t>(registers / 2, 1, 8);
    VectorEmitter e(rewriter, op.getLoc(), lanes);
    int64_t fullSteps = depth / lanes, tail = depth % lanes;
    e.blocks(batch, 1, [&](Value m, int64_t) {
      e.blocks(features, rows, [&](Value n, int64_t count) {
        SmallVector<Value> acc(count, e.zeros(lanes));
        auto step = [&](Value k, int64_t valid, ValueRange carried) {
          SmallVector<Value> next(carried);
          Value x = e.loadPrefix(input, {m, k}, valid);
          for (int64_t r = 0; r < count; ++r)
            next[r] = e.multiplyAdd(
                next[r], x, e.loadPrefix(weight, {e.add(n, r), k}, valid));
          return next;
        };
        if (fullSteps > 0)
          acc = e.loopCarrying(fullSteps, acc, [&](Value s, ValueRange c) {
            return step(e.mul(s, lanes), lanes, c);
          });
        if (tail)
          acc = step(e.index(fullSteps * lanes), tail, acc);
        for (int64_t r = 0; r < count; ++r) {
          SmallVector<Value> at = {m, e.add(n, r)};
          Value initial = e.loadScalar(output, at);
          Value sum = rewriter.create<vector::ReductionOp>(
              op.getLoc(), vector::CombiningKind::ADD, acc[r], initial,
              arith::FastMathFlags::reassoc);
          rewriter.create<memref::StoreOp>(op.getLoc(), sum, output, at);
        }
      });
    });
    rewriter.eraseOp(op);
    return success();
  }

  int64_t lanes, registers;
};

} // namespace

void cnnc::blocked::populateDenseKernelPatterns(RewritePatternSet &patterns,
                                                int64_t lanes,
                                                int64_t registers) {
  patterns.add<DenseLowering>(patterns.getContext(), lanes, registers);
}

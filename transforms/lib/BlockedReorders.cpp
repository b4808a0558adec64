//===- BlockedReorders.cpp - NCHW <-> blocked reorders as transposes ------===//
//
// The reorders of cnn-lower-reorders move a block of L channels x L pixels
// at a time: L vectors of one layout are loaded, transposed in registers
// (BlockedKernelSupport's shuffle transpose) and stored as L vectors of the
// other. Images whose rows are contiguous run over their H * W pixels as
// one row, so small images still fill the tiles. The last block of
// channels and the last tile of pixels are partial: masked loads and
// stores, zeros in the padded channels.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// The source buffer a "to_blocked" generic reads with memref.load.
Value loadedBuffer(linalg::GenericOp generic) {
  Value buffer;
  generic.getRegion().walk([&](memref::LoadOp load) {
    buffer = buffer ? (buffer == load.getMemRef() ? buffer : Value())
                    : load.getMemRef();
  });
  return buffer;
}

/// [N, C, H, W] as [N, C, H * W] (rank 4 -> 3) and [N, Cb, H, W, L] as
/// [N, Cb, H * W, L] when both allow it; returns whether it did.
bool flattenImages(OpBuilder &b, Location loc, Value &plain, Value &blocked) {
  auto plainType = cast<MemRefType>(plain.getType());
  auto blockedType = cast<MemRefType>(blocked.getType());
  SmallVector<ReassociationIndices> plainImage = {{0}, {1}, {2, 3}};
  SmallVector<ReassociationIndices> blockedImage = {{0}, {1}, {2, 3}, {4}};
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(plainType,
                                                        plainImage) ||
      !memref::CollapseShapeOp::isGuaranteedCollapsible(blockedType,
                                                        blockedImage))
    return false;
  plain = b.create<memref::CollapseShapeOp>(loc, plain, plainImage);
  blocked = b.create<memref::CollapseShapeOp>(loc, blocked, blockedImage);
  return true;
}

struct ReorderLowering : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    ReorderAttr kind = op->getContext()
                           ->getOrLoadDialect<CnncDialect>()
                           ->getReorderAttrHelper()
                           .getAttr(op);
    if (!kind || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1)
      return failure();
    bool toBlocked = kind.getDirection() == ReorderDirection::ToBlocked;
    Value plain, blocked;
    if (toBlocked) {
      if (op.getNumDpsInputs() != 0)
        return failure();
      plain = loadedBuffer(op);
      blocked = op.getDpsInits()[0];
    } else {
      if (op.getNumDpsInputs() != 1)
        return failure();
      blocked = op.getDpsInputs()[0];
      plain = op.getDpsInits()[0];
    }
    if (!plain || !isUsableBuffer(plain) || !isUsableBuffer(blocked))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    auto plainType = cast<MemRefType>(plain.getType());
    auto blockedType = cast<MemRefType>(blocked.getType());
    if (plainType.getRank() != 4 || blockedType.getRank() != 5)
      return rewriter.notifyMatchFailure(op, "not an NCHW reorder");
    ArrayRef<int64_t> shape = plainType.getShape();
    int64_t lanes = blockedType.getShape()[4];
    if (!llvm::isPowerOf2_64(lanes) ||
        blockedType.getShape()[1] != (shape[1] + lanes - 1) / lanes)
      return rewriter.notifyMatchFailure(op, "lanes do not match");

    VectorEmitter e(rewriter, op.getLoc(), lanes);
    int64_t batch = shape[0], channels = shape[1];
    int64_t rows = shape[2], columns = shape[3];
    if (flattenImages(rewriter, op.getLoc(), plain, blocked)) {
      columns *= rows;
      rows = 1;
    }
    bool flat = rows == 1 && cast<MemRefType>(plain.getType()).getRank() == 3;
    auto pixel = [&](Value row, Value column) -> SmallVector<Value> {
      if (flat)
        return {column};
      return {row, column};
    };
    // Full blocks in a loop, then the partial one with its channel count.
    auto body = [&](Value n, Value block, int64_t validChannels) {
      e.blocks(rows, 1, [&](Value row, int64_t) {
        e.blocks(columns, lanes, [&](Value column, int64_t validPixels) {
          SmallVector<Value> vectors;
          if (toBlocked) {
            for (int64_t l = 0; l < lanes; ++l) {
              if (l >= validChannels) {
                vectors.push_back(e.zeros(lanes));
                continue;
              }
              SmallVector<Value> at = {n, e.add(e.mul(block, lanes), l)};
              at.append(pixel(row, column));
              vectors.push_back(e.loadPrefix(plain, at, validPixels));
            }
            SmallVector<Value> pixels = e.transpose(vectors);
            for (int64_t p = 0; p < validPixels; ++p) {
              SmallVector<Value> at = {n, block};
              at.append(pixel(row, e.add(column, p)));
              at.push_back(e.index(0));
              e.storeVector(pixels[p], blocked, at);
            }
            return;
          }
          for (int64_t p = 0; p < lanes; ++p) {
            if (p >= validPixels) {
              vectors.push_back(e.zeros(lanes));
              continue;
            }
            SmallVector<Value> at = {n, block};
            at.append(pixel(row, e.add(column, p)));
            at.push_back(e.index(0));
            vectors.push_back(e.loadVector(blocked, at));
          }
          SmallVector<Value> channelRows = e.transpose(vectors);
          for (int64_t l = 0; l < validChannels; ++l) {
            SmallVector<Value> at = {n, e.add(e.mul(block, lanes), l)};
            at.append(pixel(row, column));
            e.storeRow(channelRows[l], plain, at, validPixels);
          }
        });
      });
    };
    int64_t fullBlocks = channels / lanes;
    e.blocks(batch, 1, [&](Value n, int64_t) {
      if (fullBlocks > 0)
        e.blocks(fullBlocks, 1,
                 [&](Value block, int64_t) { body(n, block, lanes); });
      if (channels % lanes)
        body(n, e.index(fullBlocks), channels % lanes);
    });
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void cnnc::blocked::populateReorderKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<ReorderLowering>(patterns.getContext());
}

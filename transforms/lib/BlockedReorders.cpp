//===- BlockedReorders.cpp - NCHW <-> blocked reorders as transposes ------===//
//
// The reorders of cnn-lower-reorders move a block of L channels x L pixels
// at a time: L vectors of one layout are loaded, transposed in registers
// (BlockedKernelSupport's shuffle transpose) and stored as L vectors of the
// other. Images whose rows are contiguous run over their H * W pixels as
// one row, so small images still fill the tiles. The last block of
// channels and the last tile of pixels are partial: masked loads and
// stores, zeros in the padded channels. Such a row is cut into spans of a
// few vectors that join the parallel grid: a reorder of ShuffleNetV2's 58
// channels (three full blocks and one of 10 channels) is otherwise three
// parallel iterations and a serial loop, and takes longer on two threads
// than on one. An unpack into an image of whole vectors keeps its stores
// on the destination's vectors even when the buffer starts between two (a
// caller's output from malloc): shifted tiles, and two unaligned ones at
// each span's ends.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// The vectors of pixels a parallel iteration of a flattened image takes at
/// least: a few hundred ops, so that chunks of several spans stay balanced.
constexpr int64_t kVectorsPerSpan = 4;

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
    // A flattened image's pixels in spans of whole vectors (all but the
    // last full), each a point of the parallel grid.
    int64_t spanPixels = columns, spans = 1;
    if (flat) {
      int64_t vectors = llvm::divideCeil(columns, lanes);
      int64_t wanted = std::max<int64_t>(1, vectors / kVectorsPerSpan);
      spanPixels = llvm::divideCeil(vectors, wanted) * lanes;
      spans = llvm::divideCeil(columns, spanPixels);
    }
    int64_t lastSpanPixels = columns - (spans - 1) * spanPixels;
    Location loc = op.getLoc();
    // One tile: `lanes` pixels of one block of channels from `column`,
    // the first `validPixels` of them real.
    auto tile = [&](Value n, Value block, int64_t validChannels, Value row,
                    Value column, int64_t validPixels) {
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
    };
    // The NCHW rows an unpack writes start on whole vectors of the plain
    // buffer when its image is whole vectors; if the buffer itself does not
    // (a caller's output from malloc, 16 bytes past a cache line), every
    // store would straddle two lines. Then the tiles of a span start
    // `shift` pixels in, on the buffer's vectors, and two unaligned tiles
    // cover its first and last pixels (writing a few of the aligned tiles'
    // values again, the same ones, from the same thread).
    Value shift, isAligned;
    if (!toBlocked && flat && columns % lanes == 0) {
      auto metadata =
          rewriter.create<memref::ExtractStridedMetadataOp>(loc, plain);
      Value address =
          rewriter.create<memref::ExtractAlignedPointerAsIndexOp>(loc, plain);
      Value element =
          e.add(rewriter.create<arith::DivUIOp>(loc, address, e.index(4)),
                metadata.getOffset());
      Value misalignment =
          rewriter.create<arith::RemUIOp>(loc, element, e.index(lanes));
      shift = rewriter.create<arith::RemUIOp>(
          loc,
          rewriter.create<arith::SubIOp>(loc, e.index(lanes), misalignment),
          e.index(lanes));
      isAligned = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                                 shift, e.index(0));
    }
    // The pixels [begin, begin + count) of one block of channels.
    auto pixels = [&](Value n, Value block, int64_t validChannels, Value row,
                      Value begin, int64_t count) {
      auto inOrder = [&] {
        e.blocks(count, lanes, [&](Value offset, int64_t validPixels) {
          tile(n, block, validChannels, row, e.add(begin, offset), validPixels);
        });
      };
      if (!shift || count % lanes != 0 || count < 2 * lanes) {
        inOrder();
        return;
      }
      auto branch = [&](bool aligned) {
        return [&, aligned](OpBuilder &nested, Location) {
          OpBuilder::InsertionGuard guard(rewriter);
          rewriter.setInsertionPointToEnd(nested.getInsertionBlock());
          if (aligned) {
            inOrder();
          } else {
            tile(n, block, validChannels, row, begin, lanes);
            Value first = e.add(begin, shift);
            e.loop(0, count / lanes - 1, 1, [&](Value k) {
              tile(n, block, validChannels, row, e.add(first, e.mul(k, lanes)),
                   lanes);
            });
            tile(n, block, validChannels, row, e.add(begin, count - lanes),
                 lanes);
          }
          rewriter.create<scf::YieldOp>(loc);
        };
      };
      rewriter.create<scf::IfOp>(loc, isAligned, branch(true), branch(false));
    };
    // One span: a full one, or the last, whose size is its own.
    auto body = [&](Value n, Value block, int64_t validChannels, Value row,
                    Value span) {
      Value begin = e.mul(span, spanPixels);
      if (lastSpanPixels == spanPixels) {
        pixels(n, block, validChannels, row, begin, spanPixels);
        return;
      }
      Value isFull = rewriter.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::ult, span, e.index(spans - 1));
      auto branch = [&](int64_t count) {
        return [&, count](OpBuilder &nested, Location) {
          OpBuilder::InsertionGuard guard(rewriter);
          rewriter.setInsertionPointToEnd(nested.getInsertionBlock());
          pixels(n, block, validChannels, row, begin, count);
          rewriter.create<scf::YieldOp>(loc);
        };
      };
      rewriter.create<scf::IfOp>(loc, isFull, branch(spanPixels),
                                 branch(lastSpanPixels));
    };
    // Images, blocks, rows and spans in parallel: full blocks, then the
    // partial one with its channel count.
    int64_t fullBlocks = channels / lanes;
    if (fullBlocks > 0)
      e.parallel({batch, fullBlocks, rows, spans}, [&](ValueRange at) {
        body(at[0], at[1], lanes, at[2], at[3]);
      });
    if (channels % lanes)
      e.parallel({batch, rows, spans}, [&](ValueRange at) {
        body(at[0], e.index(fullBlocks), channels % lanes, at[1], at[2]);
      });
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void cnnc::blocked::populateReorderKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<ReorderLowering>(patterns.getContext());
}

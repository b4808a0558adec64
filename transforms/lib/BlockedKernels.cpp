//===- BlockedKernels.cpp - register-tiled convolutions, blocked layout ---===//
//
// Replaces the blocked convolution generics of BlockedConv.h, once they are
// on buffers, by loop nests whose innermost work is a register tile of
// vector accumulators kept across the whole reduction. The vectors run
// along the channel block (L lanes), the dimension that is contiguous in
// [N, C/L, H, W, L], so no tile has a tail or a mask:
//
// - dense / plain_input: B output blocks x P output pixels of accumulators;
//   each reduction step loads B filter vectors and broadcasts P input
//   scalars (oneDNN's and MLAS's direct kernels); B and P are chosen so the
//   tile, the filter vectors and the broadcast fit the vector registers.
//   A plain_input kernel wider than its stride (a 3x3 stem of stride 2)
//   instead keeps a filter row's tap vectors and loads each input column
//   of a tile row once, for every pixel and tap that reads it: per tap,
//   LLVM unrolled the tap loop, kept the columns neighbouring taps share
//   live across it and spilled accumulators (ShuffleNetV2's stem ran at
//   half the speed).
// - depthwise: P pixels of one block; each tap multiplies P input vectors
//   by one filter vector.
// - lane_groups (ResNeXt's 4 channels per group): each input vector is
//   shuffled once per position j of a group (lane l takes lane
//   (l / g) * g + j) and multiplied by the filter vectors of every tap that
//   reads it, so the shuffles are shared by the kernel's columns.
//
// The ops around the convolution on the same output buffer are taken over
// as in the NCHW kernels: the initial value (a fill or a per-channel bias),
// an element-wise epilogue (`cnnc.epilogue`), and a squeeze-and-excitation
// channel sum (`cnnc.channel_sum`).
//
//===----------------------------------------------------------------------===//

#include "BlockedKernels.h"
#include "BlockedKernelSupport.h"
#include "cnnc/Transforms/BlockedConv.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <numeric>

namespace cnnc {
#define GEN_PASS_DEF_CNNVECTORIZEBLOCKEDCONVOLUTIONS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// How many lanes of an input block one iteration of the dense kernels'
/// innermost loop takes.
constexpr int64_t kLaneUnroll = 4;

/// The largest filter slice of a tile's output blocks (bytes) whose
/// successor the dense kernel prefetches. The slice and the next one share
/// a core's L2 (512 KB on Zen 3, 1 MB on Zen 4 and 5) while the tiles of
/// the current blocks run; past some size the prefetch evicts what the
/// current blocks read: ResNet-50's 3x3 512 -> 512 at 7x7, 576 KB per two
/// blocks, ran 15% slower with it, its 1x1 layers of up to 256 KB faster
/// (measured on Zen 5).
constexpr int64_t kPrefetchSliceBytes = 256 * 1024;

/// How many output pixels at the end of a block's tiles prefetch the next
/// blocks' filter slice. Each of those tiles prefetches the whole slice,
/// each step of its reduction that step's lines; the window does 64 vector
/// multiply-adds per line of the slice (about 32 cycles at two a cycle), so
/// the lines need about 2 bytes a cycle from memory. With every tile
/// prefetching, a 3x3 64 -> 64 at 56x56 (224 tiles per block) spent 7% of
/// its time issuing prefetches of lines already in cache (Intel Xeon,
/// full-width AVX-512).
constexpr int64_t kPrefetchWindowPixels = 64;

/// The tile of a kernel: `blocks` output blocks x `rows` x `columns`
/// output pixels.
struct Tile {
  int64_t blocks = 1, rows = 1, columns = 1;
  int64_t pixels() const { return rows * columns; }
};

/// Splits [0, extent) into full tiles of `size` and one remainder.
struct Split {
  int64_t size, full, remainder;
};
Split split(int64_t extent, int64_t size) {
  size = std::max<int64_t>(1, std::min(size, extent));
  return {size, extent / size, extent % size};
}

/// Estimated cost of a dense tile choice over the whole output: per
/// reduction step a tile issues b * p multiply-adds (two per cycle) and
/// b + p loads (about two per cycle), whichever is the bottleneck, plus a
/// fixed cost per tile for its initial values and stores.
double denseCost(int64_t outBlocks, int64_t rows, int64_t columns, Tile tile) {
  auto tileCost = [](int64_t b, int64_t p) {
    double step = std::max<double>(b * p, b + p) / 2.0;
    return step * 64.0 + 2.0 * b * p;
  };
  double total = 0;
  Split blocks = split(outBlocks, tile.blocks);
  Split rowSplit = split(rows, tile.rows);
  Split colSplit = split(columns, tile.columns);
  for (auto [b, nb] : {std::pair{blocks.size, blocks.full},
                       std::pair{blocks.remainder, int64_t(1)}}) {
    if (b == 0)
      continue;
    for (auto [r, nr] : {std::pair{rowSplit.size, rowSplit.full},
                         std::pair{rowSplit.remainder, int64_t(1)}}) {
      if (r == 0)
        continue;
      for (auto [c, nc] : {std::pair{colSplit.size, colSplit.full},
                           std::pair{colSplit.remainder, int64_t(1)}}) {
        if (c == 0)
          continue;
        total += double(nb) * nr * nc * tileCost(b, r * c);
      }
    }
  }
  return total;
}

/// The best dense tile for `registers` vector registers: b * p
/// accumulators, b * `filterVectors` filter vectors and one broadcast.
/// With groups of whole blocks, a tile's blocks must share a group: their
/// count divides `groupBlocks` (0: one group).
Tile chooseDenseTile(int64_t registers, int64_t outBlocks, int64_t rows,
                     int64_t columns, int64_t groupBlocks,
                     int64_t filterVectors = 1) {
  Tile best;
  double bestCost = -1;
  for (int64_t b = 1; b <= std::min<int64_t>(outBlocks, 8); ++b) {
    if (groupBlocks > 0 && groupBlocks % b != 0)
      continue;
    int64_t pixels = (registers - b * filterVectors - 1) / b;
    if (pixels < 1)
      break;
    SmallVector<Tile> candidates;
    candidates.push_back({b, 1, std::min(columns, pixels)});
    if (columns < pixels && rows > 1)
      candidates.push_back({b, std::min(rows, pixels / columns), columns});
    // A column count that divides the row evenly, if one is close.
    for (int64_t c = std::min(columns, pixels); c >= pixels / 2 && c >= 1; --c)
      if (columns % c == 0) {
        candidates.push_back({b, 1, c});
        break;
      }
    for (Tile tile : candidates) {
      double cost = denseCost(outBlocks, rows, columns, tile);
      if (bestCost < 0 || cost < bestCost) {
        best = tile;
        bestCost = cost;
      }
    }
  }
  return best;
}

/// Pixels of a tile for kernels without broadcasts: `reserved` registers
/// stay free for filter vectors and temporaries.
Tile choosePixelTile(int64_t registers, int64_t reserved, int64_t rows,
                     int64_t columns) {
  int64_t pixels = std::max<int64_t>(1, registers - reserved);
  Tile tile{1, 1, std::min(columns, pixels)};
  for (int64_t c = tile.columns; c >= pixels / 2 && c >= 1; --c)
    if (columns % c == 0) {
      tile.columns = c;
      break;
    }
  if (columns <= pixels / 2 && rows > 1)
    tile = {1, std::min(rows, pixels / columns), columns};
  return tile;
}

/// Whether some input column feeds two taps of a row of output pixels, so
/// that a row kernel loads it once: taps dk apart read the column of pixels
/// dc apart when stride * dc == dilation * dk, first at
/// dk = stride / gcd(stride, dilation). The row kernel keeps a filter
/// vector per tap, so the kernel must also leave registers for
/// accumulators.
bool sharesInputColumns(const KernelContext &k, int64_t registers) {
  int64_t kernelW = cast<MemRefType>(k.filter.getType()).getShape()[3];
  int64_t stride = k.spec.strides[1], dilation = k.spec.dilations[1];
  return kernelW - 1 >= stride / std::gcd(stride, dilation) &&
         kernelW + 2 <= registers;
}

struct BlockedConvLowering : OpRewritePattern<linalg::GenericOp> {
  BlockedConvLowering(MLIRContext *context, int64_t registers)
      : OpRewritePattern(context), registers(registers) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<ConvSpec> spec = ConvSpec::of(op);
    if (!spec)
      return failure();
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1)
      return rewriter.notifyMatchFailure(op, "not a blocked conv on buffers");
    if (op.getIndexingMapsArray() != spec->indexingMaps(op.getContext()) ||
        op.getIteratorTypesArray() != spec->iteratorTypes() ||
        !isMultiplyAccumulate(op))
      return rewriter.notifyMatchFailure(op, "maps or body do not match");
    Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1],
          output = op.getDpsInits()[0];
    if (!isUsableBuffer(input) || !isUsableBuffer(filter) ||
        !isUsableBuffer(output))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    // in_channels must leave the last input block of the filter part empty;
    // any other count (IR written by hand) would drop channels.
    if (spec->inChannels > 0) {
      int64_t inBlocks = cast<MemRefType>(filter.getType()).getShape()[1];
      int64_t lanes = cast<MemRefType>(output.getType()).getShape().back();
      if (spec->inChannels % lanes == 0 ||
          (spec->inChannels + lanes - 1) / lanes != inBlocks)
        return rewriter.notifyMatchFailure(
            op, "in_channels does not leave the last input block part empty");
    }

    KernelContext k(rewriter, op.getLoc(), op, spec.value(), input, filter,
                    output);
    switch (spec->form) {
    case ConvForm::Dense:
      emitDense(k);
      break;
    case ConvForm::PlainInput:
      if (sharesInputColumns(k, registers))
        emitPlainRows(k);
      else
        emitDense(k);
      break;
    case ConvForm::Depthwise:
      emitDepthwise(k);
      break;
    case ConvForm::LaneGroups:
      emitLaneGroups(k);
      break;
    }
    k.epilogue.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    return success();
  }

private:
  void emitDense(KernelContext &k) const;
  void emitPlainRows(KernelContext &k) const;
  void emitDepthwise(KernelContext &k) const;
  void emitLaneGroups(KernelContext &k) const;

  int64_t registers;
};

void BlockedConvLowering::emitDense(KernelContext &k) const {
  VectorEmitter &e = k.e;
  const ConvSpec &spec = k.spec;
  bool plain = spec.form == ConvForm::PlainInput;
  auto filterShape = cast<MemRefType>(k.filter.getType()).getShape();
  // Reduction: input blocks (or channels) x taps x lanes of a block.
  int64_t inUnits = filterShape[1];
  int64_t kernelH = filterShape[2], kernelW = filterShape[3];
  int64_t inLanes = plain ? 1 : k.lanes;
  Tile tile = chooseDenseTile(registers, k.outBlocks, k.rows, k.columns,
                              spec.groupOutBlocks);
  // Groups whose channels do not fill their input blocks (ShuffleNet v1's
  // 20 per group, over two blocks of 16): the reduction takes each group's
  // own lanes only, instead of multiplying the other lanes' zero weights.
  bool ownLanes = !plain && spec.groupInBlocks > 0 &&
                  spec.groupInChannels % k.lanes != 0 &&
                  spec.groupInChannels % std::min(inLanes, kLaneUnroll) == 0;
  // One group whose channels leave the last input block part empty (24
  // channels in two blocks of 16; the verifier and matchAndRewrite have
  // checked the count): that block's lane loop stops at the channels there
  // are, rounded up to whole steps (the lanes past them have zero weights).
  int64_t laneSteps = inLanes / std::min(inLanes, kLaneUnroll);
  int64_t lastBlockSteps = laneSteps;
  if (spec.inChannels > 0)
    lastBlockSteps = llvm::divideCeil(spec.inChannels % k.lanes,
                                      std::min(inLanes, kLaneUnroll));
  // Each tile prefetches, step by step of its reduction, the filter lines
  // the next tile of output blocks reads at the same step. A layer's
  // weights are read once per inference, from memory: the hardware
  // prefetchers did not hide that for the first tile of each block
  // (ResNeXt-50's 1x1 layers at 7x7 ran at 70-73% of peak in the model, a
  // 1x1 1024 -> 2048 at 7x7 at 94% on its own with the weights in cache).
  // Groups reduced over their own lanes read a few lanes of each block:
  // prefetching whole blocks there measured slower (the ShuffleNet v1 unit
  // example 0.106-0.111 -> 0.111-0.117 ms).
  int64_t sliceBytes = tile.blocks * inUnits * kernelH * kernelW * inLanes *
                       k.lanes * int64_t(sizeof(float));
  bool prefetchNext = !ownLanes && k.outBlocks > tile.blocks &&
                      sliceBytes <= kPrefetchSliceBytes;
  // Only the tiles of a block's last pixels prefetch (all of a small
  // image's); tiles run row by row, each row's column by column.
  int64_t blockPixels = k.rows * k.columns;
  int64_t lanesPerLine =
      std::max<int64_t>(1, 64 / (k.lanes * int64_t(sizeof(float))));

  auto emitTile = [&](Value n, Value block, int64_t blocks, Value row,
                      int64_t rows, Value column, int64_t columns) {
    int64_t pixels = rows * columns;
    SmallVector<Value> acc =
        k.initialTiles(n, block, blocks, row, rows, column, columns);
    // The input block a group of output blocks reads first.
    Value inBase = e.index(0);
    if (spec.groupInBlocks > 0)
      inBase = e.divide(
          e.mul(e.divide(block, spec.groupOutBlocks), spec.groupInChannels),
          spec.lanes);
    // The output blocks of the next tile (the last block where they run
    // past it), whose filter lines each step prefetches.
    SmallVector<Value> nextBlocks;
    if (prefetchNext)
      for (int64_t b = 0; b < blocks; ++b)
        nextBlocks.push_back(e.b.create<arith::MinSIOp>(
            e.loc, e.add(block, blocks + b), e.index(k.outBlocks - 1)));
    // Whether this tile is in the prefetch window (null: every tile is).
    Value inWindow;
    if (prefetchNext && blockPixels > kPrefetchWindowPixels)
      inWindow = e.b.create<arith::CmpIOp>(
          e.loc, arith::CmpIPredicate::sge,
          e.add(e.mul(row, k.columns), column),
          e.index(blockPixels - kPrefetchWindowPixels));
    acc = e.loopCarrying(inUnits, acc, [&](Value unit, ValueRange carried) {
      Value inUnit = e.add(inBase, unit);
      return e.loopCarrying(kernelH, carried, [&](Value kh, ValueRange c2) {
        return e.loopCarrying(kernelW, c2, [&](Value kw, ValueRange c3) {
          // Before the step's work, in a loop (LLVM unrolled it in the
          // models measured: the same 1344 prefetches in ResNeXt-50 as
          // written out op by op, which made DenseNet-121 compile 0.8 s
          // slower; spread over the lane loop, they slowed the kernels).
          auto prefetch = [&] {
            e.loop(0, inLanes, lanesPerLine, [&](Value lane) {
              for (Value nextBlock : nextBlocks) {
                SmallVector<Value> at = {nextBlock, unit, kh, kw};
                if (!plain)
                  at.push_back(lane);
                at.push_back(e.index(0));
                e.b.create<memref::PrefetchOp>(
                    e.loc, k.filter, at, /*isWrite=*/false,
                    /*localityHint=*/2, /*isDataCache=*/true);
              }
            });
          };
          if (inWindow) {
            OpBuilder::InsertionGuard guard(e.b);
            auto window = e.b.create<scf::IfOp>(e.loc, inWindow,
                                                /*withElseRegion=*/false);
            e.b.setInsertionPoint(window.thenBlock()->getTerminator());
            prefetch();
          } else if (!nextBlocks.empty()) {
            prefetch();
          }
          // The input pixels of this tap; only the lane changes below.
          SmallVector<SmallVector<Value>> pixelAt;
          for (int64_t p = 0; p < pixels; ++p)
            pixelAt.push_back(k.inputPixel(n, inUnit, row, p / columns, column,
                                           p % columns, kh, kw));
          // The lanes of the input block in a loop unrolled kLaneUnroll
          // times: fully unrolled, the IR of ResNet-50's kernels took
          // longer to lower than the rest of the compile together.
          int64_t unroll = std::min(inLanes, kLaneUnroll);
          auto lanesOf = [&](Value step, ValueRange c4) {
            SmallVector<Value> next(c4);
            for (int64_t u = 0; u < unroll; ++u) {
              Value ci = e.add(e.mul(step, unroll), u);
              SmallVector<Value> weights;
              for (int64_t b = 0; b < blocks; ++b) {
                SmallVector<Value> at = {e.add(block, b), unit, kh, kw};
                if (!plain)
                  at.push_back(ci);
                at.push_back(e.index(0));
                weights.push_back(e.loadVector(k.filter, at));
              }
              for (int64_t p = 0; p < pixels; ++p) {
                SmallVector<Value> at = pixelAt[p];
                if (!plain)
                  at.push_back(ci);
                Value x = e.broadcast(e.loadScalar(k.input, at));
                for (int64_t b = 0; b < blocks; ++b)
                  next[b * pixels + p] =
                      e.multiplyAdd(next[b * pixels + p], x, weights[b]);
              }
            }
            return next;
          };
          if (!ownLanes && lastBlockSteps == laneSteps)
            return e.loopCarrying(laneSteps, c3, lanesOf);
          if (!ownLanes) {
            Value isLast = e.b.create<arith::CmpIOp>(
                e.loc, arith::CmpIPredicate::eq, unit, e.index(inUnits - 1));
            Value end = e.b.create<arith::SelectOp>(
                e.loc, isLast, e.index(lastBlockSteps), e.index(laneSteps));
            return e.loopCarrying(e.index(0), end, c3, lanesOf);
          }
          // This input block's lanes that are the group's own channels:
          // [start, end) of the group less the block's first channel,
          // clamped to the block, in steps of `unroll`.
          Value first = e.mul(inUnit, k.lanes);
          Value groupStart =
              e.mul(e.divide(block, spec.groupOutBlocks), spec.groupInChannels);
          auto clamp = [&](Value v) {
            v = e.b.create<arith::MaxSIOp>(e.loc, v, e.index(0));
            return e.b.create<arith::MinSIOp>(e.loc, v, e.index(k.lanes))
                .getResult();
          };
          Value begin =
              clamp(e.b.create<arith::SubIOp>(e.loc, groupStart, first));
          Value end = clamp(e.b.create<arith::SubIOp>(
              e.loc, e.add(groupStart, spec.groupInChannels), first));
          return e.loopCarrying(e.divide(begin, unroll), e.divide(end, unroll),
                                c3, lanesOf);
        });
      });
    });
    k.storeTiles(acc, n, block, blocks, row, rows, column, columns);
  };
  k.forEachTile(tile.blocks, tile.rows, tile.columns, emitTile);
}

void BlockedConvLowering::emitPlainRows(KernelContext &k) const {
  VectorEmitter &e = k.e;
  const ConvSpec &spec = k.spec;
  auto filterShape = cast<MemRefType>(k.filter.getType()).getShape();
  int64_t channels = filterShape[1];
  int64_t kernelH = filterShape[2], kernelW = filterShape[3];
  int64_t stride = spec.strides[1], dilation = spec.dilations[1];
  // The filter vectors of a filter row's taps stay in registers.
  Tile tile = chooseDenseTile(registers, k.outBlocks, k.rows, k.columns,
                              /*groupBlocks=*/0, /*filterVectors=*/kernelW);
  auto emitTile = [&](Value n, Value block, int64_t blocks, Value row,
                      int64_t rows, Value column, int64_t columns) {
    int64_t pixels = rows * columns;
    SmallVector<Value> acc =
        k.initialTiles(n, block, blocks, row, rows, column, columns);
    // Input columns in increasing order: each accumulator still takes its
    // taps in order, so the sums are those of the per-tap kernel.
    auto readers = columnReaders(columns, stride, kernelW, dilation);
    int64_t span = readers.size();
    acc = e.loopCarrying(channels, acc, [&](Value channel, ValueRange carried) {
      return e.loopCarrying(kernelH, carried, [&](Value kh, ValueRange c2) {
        SmallVector<Value> next(c2);
        SmallVector<Value> weights; // [b * kernelW + kw]
        for (int64_t b = 0; b < blocks; ++b)
          for (int64_t kw = 0; kw < kernelW; ++kw)
            weights.push_back(
                e.loadVector(k.filter, {e.add(block, b), channel, kh,
                                        e.index(kw), e.index(0)}));
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t q = 0; q < span; ++q) {
            if (readers[q].empty())
              continue;
            Value x = e.broadcast(e.loadScalar(
                k.input, k.inputColumn(n, channel, row, r, column, kh, q)));
            for (auto [c, kw] : readers[q])
              for (int64_t b = 0; b < blocks; ++b) {
                Value &sum = next[b * pixels + r * columns + c];
                sum = e.multiplyAdd(sum, x, weights[b * kernelW + kw]);
              }
          }
        return next;
      });
    });
    k.storeTiles(acc, n, block, blocks, row, rows, column, columns);
  };
  k.forEachTile(tile.blocks, tile.rows, tile.columns, emitTile);
}

void BlockedConvLowering::emitDepthwise(KernelContext &k) const {
  VectorEmitter &e = k.e;
  auto filterShape = cast<MemRefType>(k.filter.getType()).getShape();
  int64_t kernelH = filterShape[1], kernelW = filterShape[2];
  Tile tile = choosePixelTile(registers, 4, k.rows, k.columns);
  auto emitTile = [&](Value n, Value block, int64_t, Value row, int64_t rows,
                      Value column, int64_t columns) {
    int64_t pixels = rows * columns;
    SmallVector<Value> acc =
        k.initialTile(n, block, row, rows, column, columns);
    for (int64_t kh = 0; kh < kernelH; ++kh)
      for (int64_t kw = 0; kw < kernelW; ++kw) {
        Value weight = e.loadVector(
            k.filter, {block, e.index(kh), e.index(kw), e.index(0)});
        for (int64_t p = 0; p < pixels; ++p) {
          SmallVector<Value> at =
              k.inputPixel(n, block, row, p / columns, column, p % columns,
                           e.index(kh), e.index(kw));
          at.push_back(e.index(0));
          acc[p] = e.multiplyAdd(acc[p], e.loadVector(k.input, at), weight);
        }
      }
    k.storeTile(acc, n, block, row, rows, column, columns);
  };
  k.forEachTile(1, tile.rows, tile.columns, emitTile);
}

void BlockedConvLowering::emitLaneGroups(KernelContext &k) const {
  VectorEmitter &e = k.e;
  const ConvSpec &spec = k.spec;
  auto filterShape = cast<MemRefType>(k.filter.getType()).getShape();
  int64_t kernelH = filterShape[1], kernelW = filterShape[2];
  int64_t group = spec.groupSize;
  Tile tile = choosePixelTile(registers, kernelW + 3, k.rows, k.columns);
  int64_t strideW = spec.strides[1], dilationW = spec.dilations[1];
  auto emitTile = [&](Value n, Value block, int64_t, Value row, int64_t rows,
                      Value column, int64_t columns) {
    SmallVector<Value> acc =
        k.initialTile(n, block, row, rows, column, columns);
    // The input columns of one output row, relative to the tile's first:
    // column c at tap kw reads c * stride + kw * dilation.
    int64_t span = (columns - 1) * strideW + (kernelW - 1) * dilationW + 1;
    acc = e.loopCarrying(kernelH, acc, [&](Value kh, ValueRange carried) {
      SmallVector<Value> next(carried);
      for (int64_t j = 0; j < group; ++j) {
        SmallVector<Value> weights;
        for (int64_t kw = 0; kw < kernelW; ++kw)
          weights.push_back(e.loadVector(
              k.filter, {block, kh, e.index(kw), e.index(j), e.index(0)}));
        SmallVector<int64_t> picks;
        for (int64_t l = 0; l < k.lanes; ++l)
          picks.push_back(l / group * group + j);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t q = 0; q < span; ++q) {
            // The taps and output columns that read input column q.
            SmallVector<std::pair<int64_t, int64_t>> readers;
            for (int64_t kw = 0; kw < kernelW; ++kw) {
              int64_t offset = q - kw * dilationW;
              if (offset >= 0 && offset % strideW == 0 &&
                  offset / strideW < columns)
                readers.push_back({kw, offset / strideW});
            }
            if (readers.empty())
              continue;
            SmallVector<Value> at =
                k.inputColumn(n, block, row, r, column, kh, q);
            at.push_back(e.index(0));
            Value x = e.loadVector(k.input, at);
            Value shuffled = e.shuffle(x, picks);
            for (auto [kw, c] : readers) {
              int64_t p = r * columns + c;
              next[p] = e.multiplyAdd(next[p], shuffled, weights[kw]);
            }
          }
      }
      return next;
    });
    k.storeTile(acc, n, block, row, rows, column, columns);
  };
  k.forEachTile(1, tile.rows, tile.columns, emitTile);
}

struct CNNVectorizeBlockedConvolutions
    : cnnc::impl::CNNVectorizeBlockedConvolutionsBase<
          CNNVectorizeBlockedConvolutions> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<BlockedConvLowering>(&getContext(), vectorRegisters);
    populateReorderKernelPatterns(patterns);
    populateDenseKernelPatterns(patterns, vectorLanes, vectorRegisters);
    populateReductionKernelPatterns(patterns, vectorLanes);
    populatePoolingKernelPatterns(patterns, vectorRegisters);
    populateWinogradKernelPatterns(patterns);
    if (failed(rewriteExistingOpsOnce(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Then the element-wise generics that none of these took over as an
    // epilogue.
    RewritePatternSet elementwise(&getContext());
    populateElementwiseKernelPatterns(elementwise, vectorLanes);
    if (failed(rewriteExistingOpsOnce(getOperation(), std::move(elementwise))))
      signalPassFailure();
  }
};

} // namespace

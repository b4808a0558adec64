//===- BlockedKernelSupport.h - building blocked vector kernels -*- C++ -*-===//
//
// What the kernels of BlockedKernels.cpp share: the ops around a
// convolution that its kernel takes over (the initial value, the epilogue
// and the channel sum of BlockedEpilogue), and the loops over tiles of
// output blocks and pixels. Vector code is built with VectorEmitter.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_BLOCKEDKERNELSUPPORT_H
#define CNNC_TRANSFORMS_BLOCKEDKERNELSUPPORT_H

#include "cnnc/Transforms/BlockedConv.h"
#include "cnnc/Transforms/VectorEmitter.h"

#include "ConvEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::blocked {

using vectorize::isUsableBuffer;

/// The buffer that `value` views through subviews, reshapes and casts. A
/// memref.view of the arena counts as a buffer of its own: the memory plan
/// gives buffers that are live together disjoint bytes.
mlir::Value rootBuffer(mlir::Value value);

/// Who reads each input column of a row of `columns` output pixels, by the
/// column's offset from the one the row's first pixel reads first
/// (pixel * stride + tap * dilation): the (pixel, tap) pairs, taps in
/// increasing order. Kernels whose taps overlap load each column once.
llvm::SmallVector<llvm::SmallVector<std::pair<int64_t, int64_t>>>
columnReaders(int64_t columns, int64_t stride, int64_t kernelW,
              int64_t dilation);

/// Whether `op` carries a `cnnc.` annotation: the generics that the kernels
/// of a convolution, reorder or Winograd transform take over, which the
/// kernels for what is left over (element-wise ops, pools) leave alone.
bool hasCnncAnnotation(mlir::Operation *op);

/// The ops on a convolution's output buffer that its kernel takes over:
/// the op that initializes the buffer (a fill, or a per-channel bias
/// [blocks, L] broadcast along the pixels), an element-wise epilogue
/// (`cnnc.epilogue`) applied to the accumulators before they are stored,
/// and a channel sum (`cnnc.channel_sum`) of the stored results.
class BlockedEpilogue {
public:
  BlockedEpilogue(VectorEmitter &e, mlir::Operation *conv, mlir::Value output,
                  int64_t lanes);

  /// Whether the epilogue's operands can be read with the image flattened
  /// to one dimension of pixels.
  bool allowsFlattening();
  /// Flattens the epilogue's per-pixel operands like the output.
  void flatten();

  /// The accumulator's initial value, or nullptr to read the output.
  mlir::Value initial(mlir::Value block);
  /// The accumulator after the epilogue, at (n, block, pixel); `pixel` is
  /// {row, column}, or {pixel} when flattened.
  mlir::Value apply(mlir::Value accumulator, mlir::Value n, mlir::Value block,
                    llvm::ArrayRef<mlir::Value> pixel);
  /// Adds the results of one block's pixels to its channel sums.
  void accumulateChannelSum(llvm::ArrayRef<mlir::Value> results, mlir::Value n,
                            mlir::Value block);
  void eraseAbsorbed(mlir::PatternRewriter &rewriter);
  /// Whether the kernel adds its results to channel sums.
  bool sumsChannels() const { return static_cast<bool>(neighbours.channelSum); }
  /// Leaves the channel sum to run on its own after the kernel.
  void leaveChannelSum() { neighbours.channelSum = nullptr; }

private:
  VectorEmitter &e;
  int64_t lanes;
  bool flattened = false;
  vectorize::ConvNeighbours neighbours;
  llvm::SmallVector<mlir::Value> inputs;
};

/// One blocked convolution being replaced by its kernel.
struct KernelContext {
  KernelContext(mlir::PatternRewriter &rewriter, mlir::Location loc,
                mlir::Operation *conv, const ConvSpec &spec, mlir::Value input,
                mlir::Value filter, mlir::Value output);

  /// Input indices (without the lane) of output pixel (row + r,
  /// column + c) at tap (kh, kw), in input block or channel `unit`.
  llvm::SmallVector<mlir::Value> inputPixel(mlir::Value n, mlir::Value unit,
                                            mlir::Value row, int64_t r,
                                            mlir::Value column, int64_t c,
                                            mlir::Value kh, mlir::Value kw);
  /// Input indices (without the lane) of output row row + r at tap kh, at
  /// input column column * stride + q.
  llvm::SmallVector<mlir::Value> inputColumn(mlir::Value n, mlir::Value unit,
                                             mlir::Value row, int64_t r,
                                             mlir::Value column, mlir::Value kh,
                                             int64_t q);
  mlir::Value initialAccumulator(mlir::Value n, mlir::Value block,
                                 mlir::Value row, int64_t r, mlir::Value column,
                                 int64_t c);
  /// The initial accumulators of one block's tile of rows x columns pixels,
  /// row-major.
  llvm::SmallVector<mlir::Value> initialTile(mlir::Value n, mlir::Value block,
                                             mlir::Value row, int64_t rows,
                                             mlir::Value column,
                                             int64_t columns);
  /// Applies the epilogue to one block's tile of accumulators (rows x
  /// columns, row-major) and stores them.
  void storeTile(llvm::ArrayRef<mlir::Value> accumulators, mlir::Value n,
                 mlir::Value block, mlir::Value row, int64_t rows,
                 mlir::Value column, int64_t columns);
  /// initialTile of `blocks` blocks from `block`, one block after another.
  llvm::SmallVector<mlir::Value> initialTiles(mlir::Value n, mlir::Value block,
                                              int64_t blocks, mlir::Value row,
                                              int64_t rows, mlir::Value column,
                                              int64_t columns);
  /// storeTile of each of the `blocks` blocks' tiles in `accumulators`.
  void storeTiles(llvm::ArrayRef<mlir::Value> accumulators, mlir::Value n,
                  mlir::Value block, int64_t blocks, mlir::Value row,
                  int64_t rows, mlir::Value column, int64_t columns);

  using TileBody = llvm::function_ref<void(
      mlir::Value n, mlir::Value block, int64_t blocks, mlir::Value row,
      int64_t rows, mlir::Value column, int64_t columns)>;
  /// Loops over the batch, tiles of output blocks and tiles of pixels
  /// (rows x columns, with remainders), calling `body` for each tile.
  void forEachTile(int64_t blocks, int64_t rows, int64_t columns,
                   TileBody body);

  VectorEmitter e;
  ConvSpec spec;
  mlir::Value input, filter, output;
  BlockedEpilogue epilogue;
  int64_t lanes, batch, outBlocks, rows, columns;
  /// 1x1 stride-1 convolutions on contiguous images run over the flattened
  /// image: one row of H * W pixels.
  bool flattened = false;
};

} // namespace cnnc::blocked

#endif // CNNC_TRANSFORMS_BLOCKEDKERNELSUPPORT_H

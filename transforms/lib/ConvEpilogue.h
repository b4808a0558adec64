//===- ConvEpilogue.h - what a convolution kernel takes over ----*- C++ -*-===//
//
// The ops around a convolution on buffers that its vector kernel absorbs
// (the initialization of its output, an element-wise epilogue, a channel
// sum), found by their position and their `cnnc` annotations, and applied to
// the kernel's register tiles.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_CONVEPILOGUE_H
#define CNNC_TRANSFORMS_CONVEPILOGUE_H

#include "cnnc/Transforms/VectorEmitter.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::vectorize {

/// A static f32 memref whose innermost stride is 1: rows load as vectors.
bool isUsableBuffer(mlir::Value value);

/// Whether `map` has `dim` as one of its results.
bool usesDim(mlir::AffineMap map, unsigned dim);

/// How a convolution's output is laid out: NCHW, vectors along the columns
/// (dimension 3), or channel-blocked [N, C/L, H, W, L], vectors along the
/// lanes (dimension 4).
enum class Layout { NCHW, Blocked };

/// Whether the H and W dimensions of an [N, C, H, W] buffer are contiguous,
/// so that it can be viewed as [N, C, H*W].
bool isImageCollapsible(mlir::Value value);

/// Indices of an element of an [N, C, H, W] buffer, or of its [N, C, H*W]
/// view when the image is flattened.
llvm::SmallVector<mlir::Value> imageIndices(mlir::Value n, mlir::Value c,
                                            mlir::Value row, bool flattened);

/// What a convolution's kernel takes over from the ops around it on the
/// same output buffer: the op that initializes the buffer (a fill with a
/// scalar or the broadcast of a per-channel bias), whose values become the
/// accumulators' initial values, and an element-wise epilogue (a
/// linalg.generic marked `cnnc.epilogue` that updates the buffer in place),
/// applied to the accumulators before they are stored, and after that a
/// reduction marked `cnnc.channel_sum` (a squeeze-and-excitation pool)
/// that adds each channel's results to a [N, C, 1, 1] buffer, done from
/// the stored vectors. These ops are then erased: the buffer is written
/// once and not read back.
struct ConvNeighbours {
  mlir::Operation *init = nullptr;
  mlir::Value fillValue;   // Scalar every accumulator starts from, or
  mlir::Value channelInit; // 1-D buffer read at the output channel.
  mlir::linalg::GenericOp epilogue;
  mlir::linalg::GenericOp channelSum;

  /// Erases the ops whose work the kernel took over.
  void eraseAbsorbed(mlir::PatternRewriter &rewriter) const;
};

/// The neighbours of `conv` (a convolution on buffers) that work on its
/// output buffer `output`, laid out in `layout` (a blocked bias is [Cb, L]).
ConvNeighbours findNeighbours(mlir::Operation *conv, mlir::Value output,
                              Layout layout = Layout::NCHW);

/// Whether the epilogue's operands still read correctly when the image is
/// flattened to [N, C, H*W]: each is per-element over an image whose rows
/// are contiguous, or does not depend on the position in the image.
bool epilogueAllowsFlattening(mlir::linalg::GenericOp generic);

/// Applies a convolution's init and epilogue to its register tiles.
class TileEpilogue {
public:
  TileEpilogue(VectorEmitter &e, ConvNeighbours neighbours, bool flattened);

  /// The accumulator's initial value at (n, channel, row, column), or
  /// nullptr when it is read from the output buffer.
  mlir::Value initial(mlir::Value channel);

  /// The accumulator after the epilogue; `row` is null when flattened.
  mlir::Value apply(mlir::Value accumulator, mlir::Value n, mlir::Value channel,
                    mlir::Value row, mlir::Value column, int64_t valid);

  /// Adds the valid lanes of one channel's stored results (`valid[v]` lanes
  /// of `results[v]`) to its channel sum, when there is one.
  void accumulateChannelSum(llvm::ArrayRef<mlir::Value> results,
                            llvm::ArrayRef<int64_t> valid, mlir::Value n,
                            mlir::Value channel);

  /// Finishes one output channel of a tile row: applies the epilogue to
  /// each accumulator vector (vector v starts at column `column(v)` and has
  /// `valid - v * lanes` valid lanes), stores it into `output` and adds it
  /// to the channel sum. `channel()` and `column(v)` give the index values
  /// each time one is needed.
  void store(llvm::ArrayRef<mlir::Value> accumulators, int64_t valid,
             mlir::Value output, mlir::Value n, mlir::Value row,
             llvm::function_ref<mlir::Value()> channel,
             llvm::function_ref<mlir::Value(int64_t)> column);

private:
  VectorEmitter &e;
  ConvNeighbours neighbours;
  bool flattened;
  llvm::SmallVector<mlir::Value> inputs;
};

} // namespace cnnc::vectorize

#endif // CNNC_TRANSFORMS_CONVEPILOGUE_H

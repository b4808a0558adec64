//===- BlockedLayout.h - building ops in the channel-blocked layout -*- C++
//-*-===//
//
// What cnn-assign-layout builds: channel-blocked twins of NCHW values
// ([N, C, H, W] -> [N, ceil(C / L), H, W, L], channels past C padded) and of
// per-channel vectors ([C] -> [ceil(C / L), L]), weights repacked at compile
// time, and the blocked convolution generics of BlockedConv.h.
//
// Padded channels hold finite values that nothing depends on: zero where a
// reorder or a convolution writes them (zero bias and filter), and whatever
// an element-wise op makes of those (sigmoid(0) = 0.5) after. Every consumer
// either multiplies them by zero weights or drops them when it reorders back
// to NCHW.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_BLOCKEDLAYOUT_H
#define CNNC_TRANSFORMS_BLOCKEDLAYOUT_H

#include "cnnc/Transforms/BlockedConv.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <vector>

namespace cnnc::blocked {

/// A static f32 tensor of rank 4: a feature map in NCHW.
bool isFeatureMap(mlir::Type type);

int64_t ceilDiv(int64_t a, int64_t b);

/// [N, C, H, W] -> [N, ceil(C / L), H, W, L]; [C] -> [ceil(C / L), L].
mlir::RankedTensorType blockedType(mlir::RankedTensorType type,
                                   int64_t channelDim, int64_t lanes);

/// Whether `value` is a constant f32 tensor whose values can be read,
/// looking through reshapes.
bool isReadableConstant(mlir::Value value);
/// The values of such a constant.
std::optional<std::vector<float>> constantValues(mlir::Value value);

/// A constant of `type` holding `values` (in a resource blob, as weights).
mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::RankedTensorType type,
                          llvm::ArrayRef<float> values, llvm::StringRef name);

/// `values` of a tensor of `shape` with dimension `channelDim` split into
/// blocks: the blocked layout of blockedType, zeros past the channels.
std::vector<float> blockValues(llvm::ArrayRef<float> values,
                               llvm::ArrayRef<int64_t> shape,
                               int64_t channelDim, int64_t lanes);

/// tensor.pack of `value` along `channelDim` (zero-padded) and its inverse.
mlir::Value packChannels(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, int64_t channelDim, int64_t lanes);
mlir::Value unpackChannels(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value blocked, mlir::RankedTensorType type,
                           int64_t channelDim);

/// A convolution that has a blocked form: its operands in NCHW and what the
/// blocked generic needs. Filled by matchConvolution.
struct ConvMatch {
  ConvSpec spec;
  mlir::Value input;    // the padded NCHW input
  mlir::Value init;     // the NCHW output's initial value, or the tensor
                        // that `initFill` fills
  mlir::Value initFill; // the scalar the output starts from, if a fill
  mlir::Value result;   // the NCHW result the blocked one replaces
  mlir::Value filter;   // a constant, maybe reshaped
  llvm::SmallVector<int64_t> filterShape; // [O, C / groups, KH, KW]
  int64_t groups = 1;
  /// The input blocks the blocked form reads, when more than the input has
  /// (a group's span past the last block): the input is padded with zero
  /// blocks. 0 when the input's own suffice.
  int64_t inputBlocks = 0;
  llvm::SmallVector<mlir::Operation *> ops; // the ops it replaces
};

/// The convolution that `op` computes, if it has a blocked form with `lanes`
/// lanes: linalg.conv_2d_nchw_fchw, linalg.depthwise_conv_2d_nchw_chw, or the
/// grouped generic of cnn-lower-to-linalg, with a constant filter.
std::optional<ConvMatch> matchConvolution(mlir::Operation *op, int64_t lanes);

/// The blocked convolution generic of `match` on blocked `input` (NCHW for
/// plain_input) and `init`; returns its result.
mlir::Value buildBlockedConvolution(mlir::OpBuilder &b, mlir::Location loc,
                                    const ConvMatch &match, mlir::Value input,
                                    mlir::Value init, int64_t lanes);

/// Whether `generic` computes each channel from the same channel of its
/// operands only, so that it can run on blocked operands: its one output is
/// a feature map whose channel is an iteration dimension (returned), every
/// operand reads that dimension at most once, as its channel (a feature
/// map's dimension 1 or a vector's only dimension), and the body does not
/// read the channel's index.
std::optional<unsigned> channelDimension(mlir::linalg::GenericOp generic);

} // namespace cnnc::blocked

#endif // CNNC_TRANSFORMS_BLOCKEDLAYOUT_H

//===- DepthwiseKernel.h - the NCHW depthwise kernel -------------*- C++
//-*-===//
//
// The depthwise convolution kernel of cnn-vectorize-convolutions, which also
// reads a zero-padded input straight from the unpadded buffer.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_DEPTHWISEKERNEL_H
#define CNNC_TRANSFORMS_DEPTHWISEKERNEL_H

#include "ConvEpilogue.h"

#include <optional>

namespace cnnc::vectorize {

/// A buffer made a zero-padded copy of a function argument by a zero fill
/// and a copy of the argument into its interior (the bufferized tensor.pad
/// of a model input), read by nothing but one convolution.
struct ZeroPaddedArgument {
  mlir::Value source;
  int64_t top = 0, left = 0;
  /// The copy, the view of the interior and the fill, in that order: what
  /// erasing the padding erases.
  llvm::SmallVector<mlir::Operation *> ops;
};

/// `padded` as such a copy, if it is one that `conv` reads after the copy.
std::optional<ZeroPaddedArgument> findZeroPaddedArgument(mlir::Value padded,
                                                         mlir::Operation *conv);

/// A depthwise convolution of `input` (NCHW, each channel with its own
/// [KH, KW] filter) zero-padded by `padTop` rows and `padLeft` columns
/// before (and whatever the output's size needs after) into `output`.
struct DepthwiseProblem {
  mlir::Value input, filter, output;
  int64_t padTop = 0, padLeft = 0;
  llvm::ArrayRef<int64_t> strides, dilations;
};

/// Vectors of up to 4 x lanes output columns of one channel, accumulated
/// over the taps. The rows and column blocks whose taps read inside the
/// input run in loops without checks; the others, at the borders, are
/// unrolled with their taps outside skipped and partial vectors loaded
/// shifted, so nothing outside the input is read and no padded copy is
/// needed.
void emitDepthwiseKernel(VectorEmitter &e, const DepthwiseProblem &problem,
                         const ConvNeighbours &neighbours);

} // namespace cnnc::vectorize

#endif // CNNC_TRANSFORMS_DEPTHWISEKERNEL_H

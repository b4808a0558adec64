//===- BlockedKernels.h - patterns of the blocked kernel pass ---*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_BLOCKEDKERNELS_H
#define CNNC_TRANSFORMS_BLOCKEDKERNELS_H

#include "mlir/IR/PatternMatch.h"

namespace cnnc::blocked {

/// Reorders between NCHW and the blocked layout (generics marked
/// `cnnc.reorder`) as register-tile transposes.
void populateReorderKernelPatterns(mlir::RewritePatternSet &patterns);

/// Element-wise generics that no kernel took over, as loops over
/// `lanes`-wide vectors along their innermost dimension.
void populateElementwiseKernelPatterns(mlir::RewritePatternSet &patterns,
                                       int64_t lanes);

/// Max and average pools over a window in the blocked layout, a vector
/// per output pixel, started from the output's fill; max and min share
/// window columns within tiles that fit in `registers` vector registers.
void populatePoolingKernelPatterns(mlir::RewritePatternSet &patterns,
                                   int64_t registers);

/// Sums of each channel over the image (global average pooling), in
/// vectors and in blocks, NCHW or blocked.
void populateReductionKernelPatterns(mlir::RewritePatternSet &patterns,
                                     int64_t lanes);

/// Dense layers (linalg.matmul_transpose_b) as `lanes`-wide dot products of
/// several weight rows at a time.
void populateDenseKernelPatterns(mlir::RewritePatternSet &patterns,
                                 int64_t lanes, int64_t registers);

/// The input and output transforms of Winograd convolutions (generics
/// marked `cnnc.winograd_input` and `cnnc.winograd_output`) as vector code
/// along the channel block; the output transform takes over the
/// convolution's init and epilogue.
void populateWinogradKernelPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc::blocked

#endif // CNNC_TRANSFORMS_BLOCKEDKERNELS_H

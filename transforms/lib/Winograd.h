//===- Winograd.h - the matrices of Winograd F(m x m, 3 x 3) ----*- C++ -*-===//
//
// What cnn-use-winograd (which rewrites a convolution and transforms its
// filter at compile time) and the transform kernels of
// cnn-vectorize-blocked-convolutions share: the matrices of the minimal
// filtering algorithm F(m x m, 3 x 3) for m = 2 and m = 4 (Lavin and Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016), with
// alpha = m + 2 points per tile side:
//   Y = A^T [ (G g G^T) . (B^T d B) ] A
// for a 3x3 filter g, an alpha x alpha input tile d and an m x m output
// tile Y, where "." multiplies element by element. The element-wise
// products summed over the input channels are alpha^2 independent matrix
// products, which run as one grouped 1x1 convolution.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_WINOGRAD_H
#define CNNC_TRANSFORMS_WINOGRAD_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace cnnc::winograd {

/// The matrices of F(m x m, 3 x 3), row-major: B^T (alpha x alpha), G
/// (alpha x 3), A^T (m x alpha).
struct Matrices {
  int64_t m, alpha;
  llvm::ArrayRef<double> inputT, filter, outputT;
};

/// Whether F(m x m, 3 x 3) is one that cnnc has: m = 2 or m = 4.
bool isSupported(int64_t m);

/// The matrices of F(m x m, 3 x 3); m must be supported.
Matrices matricesFor(int64_t m);

} // namespace cnnc::winograd

#endif // CNNC_TRANSFORMS_WINOGRAD_H

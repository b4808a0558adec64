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

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

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

/// The indexing maps of the input transform generic (dimensions n a1 a2 cb
/// th tw l | i j): in[n, cb, th * m + i, tw * m + j, l], B^T[a1, i],
/// B^T[a2, j], V[n, a1, a2, cb, th, tw, l].
llvm::SmallVector<mlir::AffineMap> inputTransformMaps(int64_t m,
                                                      mlir::MLIRContext *);

/// The indexing maps of the output transform generic (dimensions n ob oh
/// ow l | a1 a2): M[n, a1, a2, ob, oh / m, ow / m, l], A^T[oh mod m, a1],
/// A^T[ow mod m, a2], out[n, ob, oh, ow, l].
llvm::SmallVector<mlir::AffineMap> outputTransformMaps(int64_t m,
                                                       mlir::MLIRContext *);

} // namespace cnnc::winograd

#endif // CNNC_TRANSFORMS_WINOGRAD_H

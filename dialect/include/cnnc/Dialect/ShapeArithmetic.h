//===- ShapeArithmetic.h - size rules of convolutions and shuffles -*- C++
//-*-===//
//
// The integer arithmetic behind the cnn ops' shape rules, free of MLIR so that
// it can be unit-tested against brute force and reused by the frontend and the
// code generators.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_SHAPEARITHMETIC_H
#define CNNC_DIALECT_SHAPEARITHMETIC_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace cnnc {

/// Extent of a kernel of `kernel` taps spaced `dilation` apart.
int64_t dilatedKernelSize(int64_t kernel, int64_t dilation);

/// Number of positions of a sliding window along one axis, with PyTorch's rule
/// for convolution and pooling: floor (or, with `ceilMode`, ceil) of
/// (input + padBefore + padAfter - dilatedKernel) / stride, plus one; in ceil
/// mode a last window that would start inside the trailing padding is dropped,
/// and a window may overhang the padded input by less than a stride (so a
/// kernel slightly larger than the input still gives one output). Returns a
/// value <= 0 when no window fits, and std::nullopt when the count does not
/// fit in 64 bits. All arguments must be positive (paddings non-negative).
std::optional<int64_t> slidingWindowOutputSize(int64_t input, int64_t kernel,
                                               int64_t stride, int64_t dilation,
                                               int64_t padBefore,
                                               int64_t padAfter, bool ceilMode);

/// Broadcasts two shapes as NumPy does; std::nullopt when they are
/// incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Where channel shuffle with `groups` groups moves input channel `channel` of
/// `channels`: channel i * (C / g) + k goes to k * g + i.
int64_t shuffledChannelPosition(int64_t channels, int64_t groups,
                                int64_t channel);

/// The group count of the single channel shuffle equal to shuffling with
/// `first` groups, then with `second` groups; 1 when the two cancel, and
/// std::nullopt when no single shuffle equals them. Both counts must divide
/// `channels`.
///
/// Shuffle with g groups sends channel x to x * g mod (C - 1) (channel C - 1
/// stays), so a composition multiplies the factors modulo C - 1.
std::optional<int64_t> composeChannelShuffles(int64_t channels, int64_t first,
                                              int64_t second);

} // namespace cnnc

#endif // CNNC_DIALECT_SHAPEARITHMETIC_H

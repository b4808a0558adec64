//===- ShapeArithmetic.cpp - size rules of convolutions and shuffles ------===//

#include "cnnc/Dialect/ShapeArithmetic.h"

#include <algorithm>
#include <cassert>
#include <limits>

using namespace cnnc;

int64_t cnnc::dilatedKernelSize(int64_t kernel, int64_t dilation) {
  // Saturate rather than overflow: a result this large never fits an input.
  __int128 size = static_cast<__int128>(dilation) * (kernel - 1) + 1;
  return static_cast<int64_t>(
      std::min<__int128>(size, std::numeric_limits<int64_t>::max()));
}

std::optional<int64_t>
cnnc::slidingWindowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                              int64_t dilation, int64_t padBefore,
                              int64_t padAfter, bool ceilMode) {
  assert(stride > 0 && dilation > 0 && kernel > 0 && padBefore >= 0 &&
         padAfter >= 0 && "invalid window");
  // 128-bit intermediates: every operand is an int64, so no sum or product
  // below can overflow.
  __int128 span = static_cast<__int128>(input) + padBefore + padAfter -
                  (static_cast<__int128>(dilation) * (kernel - 1) + 1);
  // Rounded toward -infinity, as PyTorch's div_rtn: in ceil mode a window may
  // reach past the padded input by less than a stride.
  __int128 numerator = ceilMode ? span + stride - 1 : span;
  __int128 steps = numerator >= 0 ? numerator / stride
                                  : -((-numerator + stride - 1) / stride);
  __int128 size = steps + 1;
  if (size <= 0)
    return 0;
  // PyTorch: in ceil mode the last window must start inside the input or the
  // leading padding, not in the trailing padding.
  if (ceilMode &&
      (size - 1) * stride >= static_cast<__int128>(input) + padBefore)
    --size;
  if (size > std::numeric_limits<int64_t>::max())
    return std::nullopt;
  return static_cast<int64_t>(size);
}

std::optional<llvm::SmallVector<int64_t>>
cnnc::broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                      llvm::ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align at the trailing dimension; missing leading dimensions are 1.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

int64_t cnnc::shuffledChannelPosition(int64_t channels, int64_t groups,
                                      int64_t channel) {
  assert(groups > 0 && channels % groups == 0 && channel >= 0 &&
         channel < channels && "invalid shuffle");
  int64_t perGroup = channels / groups;
  int64_t group = channel / perGroup, index = channel % perGroup;
  return index * groups + group;
}

std::optional<int64_t>
cnnc::composeChannelShuffles(int64_t channels, int64_t first, int64_t second) {
  assert(first > 0 && second > 0 && channels % first == 0 &&
         channels % second == 0 && "invalid shuffles");
  // On one or two channels every shuffle is the identity.
  if (channels <= 2)
    return 1;
  int64_t modulus = channels - 1;
  int64_t factor = static_cast<int64_t>(
      (static_cast<__int128>(first % modulus) * (second % modulus)) % modulus);
  // Shuffles with 1 and with C groups are the identity (C = 1 mod C - 1).
  if (factor == 1)
    return 1;
  // Any other divisor g of C lies in [2, C / 2], so g mod (C - 1) = g.
  if (factor >= 2 && channels % factor == 0)
    return factor;
  return std::nullopt;
}

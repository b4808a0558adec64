//===- Winograd.cpp - the matrices of Winograd F(m x m, 3 x 3) ------------===//

#include "Winograd.h"

#include <cassert>

using namespace mlir;

namespace cnnc::winograd {

namespace {

// F(2x2, 3x3): points 0, 1, -1, infinity.
constexpr double kInput2[] = {1, 0,  -1, 0, 0, 1, 1, 0,
                              0, -1, 1,  0, 0, 1, 0, -1};
constexpr double kFilter2[] = {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1};
constexpr double kOutput2[] = {1, 1, 1, 0, 0, 1, -1, -1};

// F(4x4, 3x3): points 0, 1, -1, 2, -2, infinity.
constexpr double kInput4[] = {4, 0, -5, 0,  1, 0, 0, -4, -4, 1,  1, 0,
                              0, 4, -4, -1, 1, 0, 0, -2, -1, 2,  1, 0,
                              0, 2, -1, -2, 1, 0, 0, 4,  0,  -5, 0, 1};
constexpr double kFilter4[] = {
    1.0 / 4,  0,         0,        -1.0 / 6, -1.0 / 6, -1.0 / 6,
    -1.0 / 6, 1.0 / 6,   -1.0 / 6, 1.0 / 24, 1.0 / 12, 1.0 / 6,
    1.0 / 24, -1.0 / 12, 1.0 / 6,  0,        0,        1};
constexpr double kOutput4[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0,
                               0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};

} // namespace

bool isSupported(int64_t m) { return m == 2 || m == 4; }

Matrices matricesFor(int64_t m) {
  assert(isSupported(m) && "no Winograd matrices for this tile");
  if (m == 2)
    return {2, 4, kInput2, kFilter2, kOutput2};
  return {4, 6, kInput4, kFilter4, kOutput4};
}

SmallVector<AffineMap> inputTransformMaps(int64_t m, MLIRContext *context) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(9, 0, results, context);
  };
  return {map({d(0), d(3), d(4) * m + d(7), d(5) * m + d(8), d(6)}),
          map({d(1), d(7)}), map({d(2), d(8)}),
          map({d(0), d(1), d(2), d(3), d(4), d(5), d(6)})};
}

SmallVector<AffineMap> outputTransformMaps(int64_t m, MLIRContext *context) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(7, 0, results, context);
  };
  return {
      map({d(0), d(5), d(6), d(1), d(2).floorDiv(m), d(3).floorDiv(m), d(4)}),
      map({d(2) % m, d(5)}), map({d(3) % m, d(6)}),
      map({d(0), d(1), d(2), d(3), d(4)})};
}

} // namespace cnnc::winograd

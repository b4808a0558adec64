//===- VectorEmitter.h - building vector kernels on f32 buffers -*- C++ -*-===//
//
// The builder under cnnc's vector kernels (cnn-vectorize-convolutions,
// cnn-vectorize-blocked-convolutions): loads and stores of `lanes`-wide f32
// vectors along the innermost dimension of a buffer, with masks for tails
// and shuffles for strided reads and transposes, fused multiply-adds, and
// loops whose bounds are compile-time constants. Kernels written with it
// read nothing outside their buffers.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_VECTOREMITTER_H
#define CNNC_TRANSFORMS_VECTOREMITTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace cnnc {

/// Builds the vector code of one kernel; every index is a compile-time
/// constant or a loop induction variable.
class VectorEmitter {
public:
  /// f32 lanes of one AVX2 register: the default width of the vectors.
  static constexpr int64_t kDefaultLanes = 8;

  VectorEmitter(mlir::OpBuilder &b, mlir::Location loc,
                int64_t lanes = kDefaultLanes)
      : b(b), loc(loc), lanes(lanes) {}

  /// The lanes of the vectors that rows are loaded into and stored from.
  int64_t getLanes() const { return lanes; }

  mlir::Value index(int64_t value);
  mlir::Value add(mlir::Value lhs, mlir::Value rhs);
  /// lhs + rhs; lhs itself when rhs is 0.
  mlir::Value add(mlir::Value lhs, int64_t rhs);
  /// lhs * rhs; lhs itself when rhs is 1.
  mlir::Value mul(mlir::Value lhs, int64_t rhs);
  /// lhs / rhs for a non-negative lhs; lhs itself when rhs is 1.
  mlir::Value divide(mlir::Value lhs, int64_t rhs);
  mlir::VectorType vectorType(int64_t width);
  /// The mask of `width` lanes whose first `active` lanes are set.
  mlir::Value mask(int64_t width, int64_t active);
  mlir::Value zeros(int64_t width);

  /// Lanes j < `valid` hold memref[indices..., column + j * stride]; the rest
  /// are zero and nothing past the last valid element is read.
  mlir::Value loadRow(mlir::Value memref,
                      llvm::SmallVector<mlir::Value> indices,
                      mlir::Value column, int64_t stride, int64_t valid);

  /// loadRow with stride 1 at `indices`, whose last index is the column.
  mlir::Value loadOutput(mlir::Value memref,
                         llvm::SmallVector<mlir::Value> indices, int64_t valid);

  /// Stores the first `valid` lanes of `value` at `indices`.
  void storeRow(mlir::Value value, mlir::Value memref, mlir::ValueRange indices,
                int64_t valid);

  /// The `lanes` elements at `indices` (the last one the first lane's).
  mlir::Value loadVector(mlir::Value memref, mlir::ValueRange indices);
  /// The first `valid` of them, zeros after.
  mlir::Value loadPrefix(mlir::Value memref, mlir::ValueRange indices,
                         int64_t valid);
  void storeVector(mlir::Value value, mlir::Value memref,
                   mlir::ValueRange indices);
  mlir::Value loadScalar(mlir::Value memref, mlir::ValueRange indices);
  /// `scalar` in every lane.
  mlir::Value broadcast(mlir::Value scalar);
  /// Lane i of the result is lane picks[i] of `vector`.
  mlir::Value shuffle(mlir::Value vector, llvm::ArrayRef<int64_t> picks);
  /// The transpose of the square matrix whose rows are `rows` (as many as
  /// each has lanes, a power of two): log2(rows) stages of two-vector
  /// shuffles that swap off-diagonal blocks of halving size.
  llvm::SmallVector<mlir::Value> transpose(llvm::ArrayRef<mlir::Value> rows);

  /// acc + a * b: one fused multiply-add where the target has a fast one,
  /// a multiply and an add otherwise (llvm.fmuladd), whatever the context.
  mlir::Value multiplyAdd(mlir::Value acc, mlir::Value lhs, mlir::Value rhs);

  /// The scalar memref[indices] in every lane.
  mlir::Value broadcastScalar(mlir::Value memref, mlir::ValueRange indices);

  /// `values` (at least one) combined in a balanced tree of `combine`: a
  /// sum's rounding error grows with the log of the count, and dependency
  /// chains are log-deep.
  mlir::Value combinePairwise(
      llvm::ArrayRef<mlir::Value> values,
      llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> combine);

  using CarriedBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
      mlir::Value iv, mlir::ValueRange carried)>;
  /// Runs `body(iv, carried)` for iv in [0, extent) and returns the carried
  /// values; an extent of one emits the body without a loop.
  llvm::SmallVector<mlir::Value>
  loopCarrying(int64_t extent, mlir::ValueRange init, CarriedBody body);
  /// The same for iv in [begin, end), bounds known only at run time (no
  /// iteration when end <= begin).
  llvm::SmallVector<mlir::Value> loopCarrying(mlir::Value begin,
                                              mlir::Value end,
                                              mlir::ValueRange init,
                                              CarriedBody body);

  /// Runs `body(iv)` for iv in [begin, end) by `step`.
  void loop(int64_t begin, int64_t end, int64_t step,
            llvm::function_ref<void(mlir::Value)> body);

  /// Runs `body(begin, valid)` over [0, extent) in blocks of `block`: a loop
  /// over the full blocks, then one partial block with its valid count.
  void blocks(int64_t extent, int64_t block,
              llvm::function_ref<void(mlir::Value, int64_t)> body);

  /// Runs `body(indices)` for every point of the grid `extents`, as an
  /// scf.parallel over its dimensions of more than one point (whose
  /// iterations may run on different threads: they must write disjoint
  /// memory), or inline when the grid has one point.
  void parallel(llvm::ArrayRef<int64_t> extents,
                llvm::function_ref<void(mlir::ValueRange)> body);

  mlir::OpBuilder &b;
  mlir::Location loc;

private:
  int64_t lanes;
};

/// Applies `patterns` to the ops that exist in `root` now, each once: a
/// kernel pattern replaces an op by loops, which are not matched again.
mlir::LogicalResult rewriteExistingOpsOnce(mlir::Operation *root,
                                           mlir::RewritePatternSet &&patterns);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_VECTOREMITTER_H

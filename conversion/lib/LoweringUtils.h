//===- LoweringUtils.h - helpers shared by the cnn lowerings ----*- C++ -*-===//

#ifndef CNNC_CONVERSION_LOWERINGUTILS_H
#define CNNC_CONVERSION_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

namespace cnnc::lowering {

using BodyBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A floating-point constant of the given element type.
mlir::Value floatConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Type elementType, double value);

/// tensor.empty of a static type.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// A tensor of the given type filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);

/// Pads every dimension of `input` by `low` and `high` elements of `value`;
/// returns `input` itself when there is nothing to pad.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      double value);

/// Pads the last two (spatial) dimensions of an NCHW tensor.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, int64_t top, int64_t left,
                       int64_t bottom, int64_t right, double value);

/// A tensor of type `target` holding `vector` ([target.dim(dim)]) repeated
/// along every other dimension: a per-channel bias or statistic.
mlir::Value broadcastAlong(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value vector, mlir::RankedTensorType target,
                           int64_t dim);

/// An element-wise linalg.generic producing `resultType`: input i is read
/// through `inputMaps[i]` (identity when empty), and `body` computes the
/// result element from the input elements.
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange inputs,
                        llvm::ArrayRef<mlir::AffineMap> inputMaps,
                        BodyBuilder body);

/// The map reading an operand of shape `operand` while iterating over
/// `result` with NumPy broadcasting (leading dimensions aligned at the end,
/// size-1 dimensions read at 0).
mlir::AffineMap broadcastMap(mlir::MLIRContext *context,
                             llvm::ArrayRef<int64_t> operand,
                             llvm::ArrayRef<int64_t> result);

/// The map reading prelu's `slope` ([C], or [1] shared by all channels)
/// while iterating over a feature map of rank `rank`.
mlir::AffineMap preluSlopeMap(mlir::MLIRContext *context,
                              mlir::RankedTensorType slope, unsigned rank);

/// Collapses all dimensions into one, then expands to `shape`: a row-major
/// reshape with tensor ops only.
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value input, mlir::RankedTensorType target);

/// `n` parallel iterators, then `m` reduction iterators.
llvm::SmallVector<mlir::utils::IteratorType> iterators(unsigned parallel,
                                                       unsigned reduction = 0);

/// The PyTorch formula of an element-wise cnn op (an activation, add, mul
/// or prelu) on scalars: `x` is the element of the chain's feature map and
/// `others` the matching elements of the op's other operands. Fails for any
/// other op. Shared by the op-by-op lowering and fused epilogues.
mlir::FailureOr<mlir::Value>
buildElementFormula(mlir::OpBuilder &b, mlir::Location loc, mlir::Operation *op,
                    mlir::Value x, mlir::ValueRange others);

/// The mean over H and W of an [N, C, H, W] tensor: a sum reduction into
/// `zeros` ([N, C, 1, 1], filled with 0), then a division by H * W. Returns
/// the reduction (which squeeze_excite marks for the convolution kernel)
/// and the mean.
std::pair<mlir::linalg::GenericOp, mlir::Value>
globalAveragePool(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                  mlir::Value zeros);

/// Replaces every cnn.fused op by the code of its kind, still on tensors:
/// cnn ops on slices and linalg ops that the op-by-op patterns lower after.
mlir::LogicalResult expandFusedOps(mlir::ModuleOp module);

/// Gives each chain of concats that extend one another (a concat whose
/// first operand is a concat) one tensor of the final size, updated in
/// place, instead of a copy of every earlier operand per concat.
void lowerConcatChains(mlir::ModuleOp module);
/// After the other lowerings: moves each chain's buffer down to where its
/// first operand's producer creates its destination, so that the buffer is
/// not live (and taking arena memory) earlier than it needs to be.
void placeConcatChainBuffers(mlir::ModuleOp module);

/// Patterns for each family of ops, in their own files.
void populateConvolutionLoweringPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateShapeLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc::lowering

#endif // CNNC_CONVERSION_LOWERINGUTILS_H

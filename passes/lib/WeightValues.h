//===- WeightValues.h - read and make cnn.weight values ---------*- C++ -*-===//
//
// Graph passes that compute new parameters at compile time (batch-norm
// folding, constant folding) read weights as doubles and write them back in
// the weight's element type.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_PASSES_WEIGHTVALUES_H
#define CNNC_PASSES_WEIGHTVALUES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <vector>

namespace cnnc {

/// The values of the cnn.weight that defines `value`, if it holds f32 or f64
/// values (dense or a resource blob).
std::optional<std::vector<double>> readWeight(mlir::Value value);

/// A new cnn.weight named `name` holding `values` rounded to `type`'s element
/// type (f32 or f64), stored as a resource blob.
mlir::Value makeWeight(mlir::PatternRewriter &rewriter, mlir::Location loc,
                       llvm::StringRef name, mlir::RankedTensorType type,
                       llvm::ArrayRef<double> values);

} // namespace cnnc

#endif // CNNC_PASSES_WEIGHTVALUES_H

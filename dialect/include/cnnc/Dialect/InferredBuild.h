//===- InferredBuild.h - building cnn ops whose shape rules hold -*- C++
//-*-===//
//
// The frontend and the importers build cnn ops from user input: a broken
// shape rule must be an error of the model, not an assertion in a builder.
// buildInferred fills an OperationState with the op's operands and
// attributes and its result types from the op's own inference, or fails
// (the inference has emitted the error at the state's location).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_INFERREDBUILD_H
#define CNNC_DIALECT_INFERREDBUILD_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/SmallVector.h"

#include <utility>

namespace cnnc::cnn {

/// Builds `OpTy`'s operands and attributes from `args` into `state` (whose
/// location and name are set) and infers its result types into
/// `state.types`; fails where a shape rule is broken.
template <typename OpTy, typename... Args>
mlir::LogicalResult buildInferred(mlir::OpBuilder &builder,
                                  mlir::OperationState &state, Args &&...args) {
  // The builders take result types first; the inference replaces them.
  mlir::Type placeholder[] = {builder.getNoneType()};
  OpTy::build(builder, state, mlir::TypeRange(placeholder),
              std::forward<Args>(args)...);
  mlir::MLIRContext *context = builder.getContext();
  llvm::SmallVector<mlir::Type> types;
  if (mlir::failed(OpTy::inferReturnTypes(
          context, state.location, state.operands,
          state.attributes.getDictionary(context), state.getRawProperties(),
          state.regions, types)))
    return mlir::failure();
  state.types.assign(types.begin(), types.end());
  return mlir::success();
}

} // namespace cnnc::cnn

#endif // CNNC_DIALECT_INFERREDBUILD_H

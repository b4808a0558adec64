//===- VerifyShapeRules.h - run an op's shape rules as its verifier -*- C++
//-*-===//
//
// Every cnn op checks its rules in `inferReturnTypes`, which emits a diagnostic
// naming the broken rule. This trait runs that function as a verifier before
// InferTypeOpInterface's own check, so that an invalid op reports the rule it
// breaks instead of a generic "failed to infer returned types".
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_VERIFYSHAPERULES_H
#define CNNC_DIALECT_VERIFYSHAPERULES_H

#include "mlir/IR/OpDefinition.h"

namespace cnnc::cnn::OpTrait {

template <typename ConcreteType>
class VerifyShapeRules
    : public mlir::OpTrait::TraitBase<ConcreteType, VerifyShapeRules> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    llvm::SmallVector<mlir::Type, 1> inferred;
    return ConcreteType::inferReturnTypes(
        op->getContext(), op->getLoc(),
        typename ConcreteType::Adaptor(llvm::cast<ConcreteType>(op)), inferred);
  }
};

} // namespace cnnc::cnn::OpTrait

#endif // CNNC_DIALECT_VERIFYSHAPERULES_H

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

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/Support/MathExtras.h"

namespace cnnc::cnn::OpTrait {

template <typename ConcreteType>
class VerifyShapeRules
    : public mlir::OpTrait::TraitBase<ConcreteType, VerifyShapeRules> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    llvm::SmallVector<mlir::Type, 1> inferred;
    if (mlir::failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(),
            typename ConcreteType::Adaptor(llvm::cast<ConcreteType>(op)),
            inferred)))
      return mlir::failure();
    // Operands are checked to hold fewer than 2^63 elements; results too.
    for (mlir::Type type : inferred) {
      int64_t elements = 1;
      for (int64_t size : llvm::cast<mlir::ShapedType>(type).getShape())
        if (llvm::MulOverflow(elements, size, elements))
          return op->emitOpError("result ")
                 << type << " would have more elements than fit in 64 bits";
    }
    return mlir::success();
  }
};

} // namespace cnnc::cnn::OpTrait

#endif // CNNC_DIALECT_VERIFYSHAPERULES_H

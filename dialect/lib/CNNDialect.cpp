//===- CNNDialect.cpp - the cnn dialect -----------------------------------===//

#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cnnc::cnn;

#include "cnnc/Dialect/CNNOpsDialect.cpp.inc"

#include "cnnc/Dialect/CNNEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "cnnc/Dialect/CNNAttributes.cpp.inc"
#include "cnnc/Dialect/CNNInterfaces.cpp.inc"

void CNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cnnc/Dialect/CNNOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cnnc/Dialect/CNNAttributes.cpp.inc"
      >();
}

LogicalResult CNNDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  if (attribute.getName() == FusionRejectedAttrHelper::getNameStr()) {
    auto rejections = dyn_cast<ArrayAttr>(attribute.getValue());
    if (!rejections || !llvm::all_of(rejections, [](Attribute rejection) {
          return isa<FusionRejectionAttr>(rejection);
        }))
      return op->emitError("'")
             << attribute.getName().getValue()
             << "' must be an array of #cnn.fusion_rejection attributes";
    return success();
  }
  if (attribute.getName() == NameAttrHelper::getNameStr()) {
    if (!isa<StringAttr>(attribute.getValue()))
      return op->emitError("'")
             << attribute.getName().getValue() << "' must be a string";
    return success();
  }
  return op->emitError("'") << attribute.getName().getValue()
                            << "' is not an attribute of the cnn dialect";
}

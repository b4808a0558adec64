//===- CnncDialect.h - the annotations of cnnc's passes ---------*- C++ -*-===//
//
// The `cnnc` dialect: no ops, only the attributes that passes hand to each
// other (CnncDialect.td). A pass that reads or writes one lists the dialect
// among its dependent dialects and goes through the generated helper:
//
//   auto *cnncDialect = context->getLoadedDialect<cnnc::CnncDialect>();
//   cnncDialect->getEpilogueAttrHelper().setAttr(generic,
//   builder.getUnitAttr());
//
// `<Name>AttrHelper::getNameStr()` is the attribute's name where no op is at
// hand (function arguments, a module read after the passes).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_CNNCDIALECT_H
#define CNNC_DIALECT_CNNCDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Operation.h"

#include "cnnc/Dialect/CnncEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cnnc/Dialect/CnncAttributes.h.inc"

#include "cnnc/Dialect/CnncDialect.h.inc"

#endif // CNNC_DIALECT_CNNCDIALECT_H

//===- CNNAttributes.h - cnn dialect attributes -----------------*- C++ -*-===//

#ifndef CNNC_DIALECT_CNNATTRIBUTES_H
#define CNNC_DIALECT_CNNATTRIBUTES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#include "cnnc/Dialect/CNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cnnc/Dialect/CNNAttributes.h.inc"

#endif // CNNC_DIALECT_CNNATTRIBUTES_H

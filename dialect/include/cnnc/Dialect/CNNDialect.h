//===- CNNDialect.h - the cnn dialect ---------------------------*- C++ -*-===//

#ifndef CNNC_DIALECT_CNNDIALECT_H
#define CNNC_DIALECT_CNNDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "cnnc/Dialect/CNNOpsDialect.h.inc"

#endif // CNNC_DIALECT_CNNDIALECT_H

//===- CNNOps.h - cnn dialect operations ------------------------*- C++ -*-===//

#ifndef CNNC_DIALECT_CNNOPS_H
#define CNNC_DIALECT_CNNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "cnnc/Dialect/CNNAttributes.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/VerifyShapeRules.h"

#include "cnnc/Dialect/CNNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "cnnc/Dialect/CNNOps.h.inc"

#endif // CNNC_DIALECT_CNNOPS_H

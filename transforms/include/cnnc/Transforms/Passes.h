//===- Passes.h - buffer-level passes of cnnc -------------------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_PASSES_H
#define CNNC_TRANSFORMS_PASSES_H

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "cnnc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnnc/Transforms/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_TRANSFORMS_PASSES_H

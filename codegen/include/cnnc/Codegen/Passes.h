//===- Passes.h - cnnc lowering passes --------------------------*- C++ -*-===//

#ifndef CNNC_CODEGEN_PASSES_H
#define CNNC_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "cnnc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnnc/Codegen/Passes.h.inc"

/// Adds the patterns that lower cnn ops to linalg/tensor/arith/math.
void populateLowerCNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_CODEGEN_PASSES_H

//===- Passes.h - cnn to linalg conversion ----------------------*- C++ -*-===//

#ifndef CNNC_CONVERSION_PASSES_H
#define CNNC_CONVERSION_PASSES_H

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "cnnc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnnc/Conversion/Passes.h.inc"

/// Adds the patterns that lower cnn ops to linalg/tensor/arith/math.
void populateLowerCNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace cnnc

#endif // CNNC_CONVERSION_PASSES_H

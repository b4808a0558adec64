//===- Passes.h - cnn graph and fusion passes -------------------*- C++ -*-===//

#ifndef CNNC_PASSES_PASSES_H
#define CNNC_PASSES_PASSES_H

#include "cnnc/Dialect/CNNDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "cnnc/Passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnnc/Passes/Passes.h.inc"

} // namespace cnnc

#endif // CNNC_PASSES_PASSES_H

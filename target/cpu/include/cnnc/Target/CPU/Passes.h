//===- Passes.h - passes of the CPU target ----------------------*- C++ -*-===//

#ifndef CNNC_TARGET_CPU_PASSES_H
#define CNNC_TARGET_CPU_PASSES_H

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

#define GEN_PASS_DECL
#include "cnnc/Target/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cnnc/Target/CPU/Passes.h.inc"

/// The name of the runtime function that runs a parallel loop.
constexpr llvm::StringLiteral kParallelForName = "cnnc_rt_parallel_for";

} // namespace cnnc

#endif // CNNC_TARGET_CPU_PASSES_H

//===- LowerToLLVM.h - loop nests to the LLVM dialect -----------*- C++ -*-===//

#ifndef CNNC_TARGET_CPU_LOWERTOLLVM_H
#define CNNC_TARGET_CPU_LOWERTOLLVM_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// Lowers bufferized loop nests (linalg on memrefs, scf, affine, vector,
/// arith, math, memref, func) to the LLVM dialect with upstream passes. With
/// `barePointers`, functions take each (statically shaped) memref as a plain
/// pointer to its data, the C calling convention of generated libraries;
/// otherwise as MLIR's memref descriptor.
void buildLowerLoopsToLLVMPipeline(mlir::OpPassManager &pm,
                                   bool barePointers = false);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_LOWERTOLLVM_H

//===- LowerToLLVM.h - loop nests to the LLVM dialect -----------*- C++ -*-===//

#ifndef CNNC_TARGET_CPU_LOWERTOLLVM_H
#define CNNC_TARGET_CPU_LOWERTOLLVM_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// The least estimated work of a loop worth running on several threads:
/// about a microsecond of one core's work, against a fork and join of a
/// tenth of that when the workers spin (20000 had left ShuffleNetV2's
/// channel reorders on one thread, reading what both cores had written).
constexpr int64_t kDefaultMinParallelWork = 2500;

/// Lowers bufferized loop nests (linalg on memrefs, scf, affine, vector,
/// arith, math, memref, func) to the LLVM dialect with upstream passes. With
/// `barePointers`, functions take each (statically shaped) memref as a plain
/// pointer to its data, the C calling convention of generated libraries;
/// otherwise as MLIR's memref descriptor, and parallel loops with at least
/// `minParallelWork` estimated work run on the library's thread pool
/// (cnn-lower-parallel-loops).
void buildLowerLoopsToLLVMPipeline(
    mlir::OpPassManager &pm, bool barePointers = false,
    int64_t minParallelWork = kDefaultMinParallelWork);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_LOWERTOLLVM_H

//===- LowerToLLVM.cpp - loop nests to the LLVM dialect -------------------===//

#include "cnnc/Target/CPU/LowerToLLVM.h"
#include "cnnc/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

#include <algorithm>

using namespace mlir;

void cnnc::buildLowerLoopsToLLVMPipeline(OpPassManager &pm, bool barePointers,
                                         int64_t minParallelWork) {
  // Code for the C API (bare pointers) runs its parallel loops on the
  // library's thread pool; other code (JIT, IR to read) runs them serially.
  // The linalg ops no kernel took (element-wise, pooling) become loops
  // first, their parallel dimensions as scf.parallel.
  if (barePointers) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    CNNLowerParallelLoopsOptions parallel;
    parallel.minParallelWork = minParallelWork;
    // Chunks of half the least parallel work: two threads at least.
    parallel.minChunkWork = std::max<int64_t>(
        1, std::min<int64_t>(parallel.minChunkWork, minParallelWork / 2));
    pm.addPass(createCNNLowerParallelLoops(parallel));
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  // Functions without an LLVM intrinsic (tanh) call libm; on vectors (fused
  // epilogues), lane by lane through vector.extract and vector.insert, so
  // this runs before the vector dialect is lowered.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = barePointers;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

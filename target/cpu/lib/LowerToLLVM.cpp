//===- LowerToLLVM.cpp - loop nests to the LLVM dialect -------------------===//

#include "cnnc/Target/CPU/LowerToLLVM.h"
#include "cnnc/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
  // The passes that convert one function at a time run on all functions
  // in parallel (MLIR's pass manager nests them); after
  // cnn-outline-loop-nests a large model has hundreds of functions, and
  // these passes were half of DenseNet-121's MLIR time on one thread. The
  // passes that add declarations to the module (libm, malloc) or convert
  // the functions themselves run on the module in between.
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createConvertLinalgToLoopsPass());
  loops.addPass(createLowerAffinePass());
  loops.addPass(createConvertSCFToCFPass());
  // Functions without an LLVM intrinsic (tanh) call libm; on vectors (fused
  // epilogues), lane by lane through vector.extract and vector.insert, so
  // this runs before the vector dialect is lowered.
  pm.addPass(createConvertMathToLibmPass());
  OpPassManager &toLLVM = pm.nest<func::FuncOp>();
  toLLVM.addPass(createConvertMathToLLVMPass());
  toLLVM.addPass(createConvertVectorToLLVMPass());
  toLLVM.addPass(memref::createExpandStridedMetadataPass());
  toLLVM.addPass(createLowerAffinePass());
  toLLVM.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = barePointers;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  // Casts are left inside the functions only (the module's globals have no
  // bodies to convert).
  OpPassManager &llvmFuncs = pm.nest<LLVM::LLVMFuncOp>();
  llvmFuncs.addPass(createReconcileUnrealizedCastsPass());
  llvmFuncs.addPass(createCanonicalizerPass());
}

//===- Pipelines.cpp - lowering pipelines of cnnc -------------------------===//

#include "cnnc/Codegen/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildLowerLoopsToLLVMPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::registerCodegenPipelines() {
  PassPipelineRegistration<>(
      "cnnc-lower-loops-to-llvm",
      "Lower bufferized loop nests (linalg, scf, affine, arith, math, memref, "
      "func) to the LLVM dialect",
      buildLowerLoopsToLLVMPipeline);
}

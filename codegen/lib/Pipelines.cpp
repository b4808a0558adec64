//===- Pipelines.cpp - lowering pipelines of cnnc -------------------------===//

#include "cnnc/Codegen/Pipelines.h"
#include "cnnc/Codegen/Passes.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cnnc::buildLowerLoopsToLLVMPipeline(OpPassManager &pm, bool barePointers) {
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(createConvertVectorToLLVMPass());
  // Functions without an LLVM intrinsic (tanh) call libm.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToLLVMPass());
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

void cnnc::buildCNNToLoopsPipeline(OpPassManager &pm, bool scratchArgument) {
  // Graph passes, then lowering.
  pm.addPass(createCNNFoldBatchNorm());
  pm.addPass(createCNNFoldConstants());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCNNLowerToLinalg());
  pm.addPass(createCanonicalizerPass());
  bufferization::OneShotBufferizationOptions options;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // Copies as loops, not memref.copy: a strided memref.copy becomes a call
  // to MLIR's runtime library, which generated code must not depend on.
  options.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                        Value to) -> LogicalResult {
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  pm.addPass(bufferization::createBufferResultsToOutParamsPass());
  pm.addPass(createCNNFlattenConstantGlobals());
  CNNPlanMemoryOptions planOptions;
  planOptions.scratchArgument = scratchArgument;
  pm.addPass(createCNNPlanMemory(planOptions));
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCNNVectorizeConvolutions());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCNNOutlineLoopNests());
}

void cnnc::buildCNNToLLVMPipeline(OpPassManager &pm, bool barePointers,
                                  bool scratchArgument) {
  buildCNNToLoopsPipeline(pm, scratchArgument);
  buildLowerLoopsToLLVMPipeline(pm, barePointers);
}

void cnnc::registerCodegenDependencies(DialectRegistry &registry) {
  registry
      .insert<arith::ArithDialect, bufferization::BufferizationDialect,
              cf::ControlFlowDialect, func::FuncDialect, linalg::LinalgDialect,
              LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
              scf::SCFDialect, tensor::TensorDialect, vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

void cnnc::registerCodegenPipelines() {
  PassPipelineRegistration<>(
      "cnnc-lower-loops-to-llvm",
      "Lower bufferized loop nests (linalg, scf, affine, vector, arith, math, "
      "memref, func) to the LLVM dialect",
      [](OpPassManager &pm) { buildLowerLoopsToLLVMPipeline(pm); });
  PassPipelineRegistration<>(
      "cnnc-lower-to-loops",
      "Lower functions of cnn ops on tensors to loops on buffers (batch-norm "
      "and constant folding, cnn to linalg, bufferization with results as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions)",
      [](OpPassManager &pm) { buildCNNToLoopsPipeline(pm); });
  PassPipelineRegistration<>(
      "cnnc-lower-to-llvm",
      "Lower functions of cnn ops on tensors to the LLVM dialect (batch-norm "
      "and constant folding, cnn to linalg, bufferization with results as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions, loops to LLVM)",
      [](OpPassManager &pm) { buildCNNToLLVMPipeline(pm); });
}

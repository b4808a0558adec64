//===- Pipelines.cpp - the pipelines of cnnc ------------------------------===//

#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Conversion/Passes.h"
#include "cnnc/Passes/Passes.h"
#include "cnnc/Target/CPU/LowerToLLVM.h"
#include "cnnc/Transforms/Passes.h"

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

void cnnc::buildFusionPipeline(OpPassManager &pm, int64_t tileBytes) {
  // Shuffles first: folding them exposes convolutions and activations that
  // the fusions below then take. Then the longest chains: a bottleneck
  // holds a depthwise-pointwise chain, which holds a convolution epilogue.
  pm.addPass(createCNNFoldChannelShuffle());
  pm.addPass(createCNNEliminateConcat());
  pm.addPass(createCNNFuseSqueezeExcite());
  CNNFuseBottleneckOptions bottleneck;
  CNNFuseDepthwisePointwiseOptions depthwisePointwise;
  if (tileBytes > 0)
    bottleneck.tileBytes = depthwisePointwise.tileBytes = tileBytes;
  pm.addPass(createCNNFuseBottleneck(bottleneck));
  pm.addPass(createCNNFuseDepthwisePointwise(depthwisePointwise));
  pm.addPass(createCNNFuseEpilogue());
}

void cnnc::buildGraphPipeline(OpPassManager &pm) {
  pm.addPass(createCNNFoldBatchNorm());
  pm.addPass(createCNNFoldConstants());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::buildGraphAndFusionPipeline(OpPassManager &pm, bool fusion,
                                       StringRef extraFusion,
                                       int64_t tileBytes) {
  buildGraphPipeline(pm);
  if (!fusion)
    return;
  // A user's fusions first, so that they may take chains that cnnc's own
  // would otherwise claim.
  if (!extraFusion.empty() && failed(parsePassPipeline(extraFusion, pm)))
    llvm::report_fatal_error("invalid fusion pipeline: check it first");
  buildFusionPipeline(pm, tileBytes);
}

void cnnc::buildCNNToLinalgPipeline(OpPassManager &pm, bool fusion,
                                    StringRef extraFusion, int64_t tileBytes) {
  buildGraphAndFusionPipeline(pm, fusion, extraFusion, tileBytes);
  pm.addPass(createCNNLowerToLinalg());
  if (fusion)
    pm.addPass(createCNNFuseElementwise());
  pm.addPass(createCanonicalizerPass());
}

void cnnc::buildCNNToLoopsPipeline(OpPassManager &pm, bool scratchArgument,
                                   bool fusion, StringRef extraFusion,
                                   int64_t tileBytes) {
  buildCNNToLinalgPipeline(pm, fusion, extraFusion, tileBytes);
  // A tensor.empty that only becomes a slice of another tensor (the tiles
  // of a fused chain, the operands of a concat) is replaced by that slice,
  // so the producer writes in place.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizationOptions options;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // Copies as loops, not memref.copy: a strided memref.copy becomes a call
  // to MLIR's runtime library, which generated code must not depend on.
  options.memCpyFn = [](OpBuilder &b, Location loc, Value from,
                        Value to) -> LogicalResult {
    // A tile written in place into its slice of a buffer is "copied" from
    // an equal view of the same slice: nothing to do.
    Operation *source = from.getDefiningOp(), *target = to.getDefiningOp();
    if (from == to ||
        (source && target && isa<memref::SubViewOp>(source) &&
         OperationEquivalence::isEquivalentTo(
             source, target, OperationEquivalence::IgnoreLocations)))
      return success();
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  // Tiles written in place leave copies of a slice onto the same slice, and
  // loops that carry their output buffer unchanged: both fold away.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Results are copied into the out-parameters. (Upstream's
  // hoist-static-allocs, which would write them in place, crashes in LLVM
  // 19 on a function that returns one of its arguments.)
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
                                  bool scratchArgument, bool fusion,
                                  StringRef extraFusion, int64_t tileBytes) {
  buildCNNToLoopsPipeline(pm, scratchArgument, fusion, extraFusion, tileBytes);
  buildLowerLoopsToLLVMPipeline(pm, barePointers);
}

void cnnc::registerCompilerDependencies(DialectRegistry &registry) {
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

void cnnc::registerCompilerPipelines() {
  PassPipelineRegistration<>(
      "cnnc-lower-loops-to-llvm",
      "Lower bufferized loop nests (linalg, scf, affine, vector, arith, math, "
      "memref, func) to the LLVM dialect",
      [](OpPassManager &pm) { buildLowerLoopsToLLVMPipeline(pm); });
  PassPipelineRegistration<>(
      "cnnc-fuse",
      "Run the fusion passes of cnnc's default pipeline, in its order",
      [](OpPassManager &pm) { buildFusionPipeline(pm); });
  PassPipelineRegistration<>(
      "cnnc-lower-to-loops",
      "Lower functions of cnn ops on tensors to loops on buffers (batch-norm "
      "and constant folding, fusion, cnn to linalg, bufferization with results "
      "as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions)",
      [](OpPassManager &pm) { buildCNNToLoopsPipeline(pm); });
  PassPipelineRegistration<>(
      "cnnc-lower-to-llvm",
      "Lower functions of cnn ops on tensors to the LLVM dialect (batch-norm "
      "and constant folding, fusion, cnn to linalg, bufferization with results "
      "as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions, loops to LLVM)",
      [](OpPassManager &pm) { buildCNNToLLVMPipeline(pm); });
}

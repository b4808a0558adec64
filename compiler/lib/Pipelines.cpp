//===- Pipelines.cpp - the pipelines of cnnc ------------------------------===//

#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Conversion/Passes.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Passes/Passes.h"
#include "cnnc/Target/CPU/LowerToLLVM.h"
#include "cnnc/Target/CPU/Passes.h"
#include "cnnc/Transforms/Passes.h"
#include "cnnc/Transforms/StaticSubsets.h"

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

#include <fmt/format.h>

using namespace mlir;
using llvm::Error;

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

Error cnnc::addFusionPasses(OpPassManager &pm, StringRef pipeline) {
  std::string message;
  llvm::raw_string_ostream os(message);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   StringRef(message).trim());
  return Error::success();
}

Error cnnc::buildGraphAndFusionPipeline(OpPassManager &pm,
                                        const PipelineOptions &options) {
  if (options.tileBytes < 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        fmt::format("tile-bytes must not be negative, got {}",
                    static_cast<int64_t>(options.tileBytes)));
  if (options.batch < 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        fmt::format("batch must be positive (0 keeps the model's), got {}",
                    static_cast<int64_t>(options.batch)));
  if (options.batch > 0) {
    CNNSetBatchOptions batch;
    batch.batch = options.batch;
    pm.addPass(createCNNSetBatch(batch));
  }
  buildGraphPipeline(pm);
  if (!options.fusion)
    return Error::success();
  // A user's fusions first, so that they may take chains that cnnc's own
  // would otherwise claim.
  if (!options.fusionPasses.empty())
    if (Error error = addFusionPasses(pm, options.fusionPasses))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          fmt::format("fusion-passes: {}", llvm::toString(std::move(error))));
  buildFusionPipeline(pm, options.tileBytes);
  return Error::success();
}

Error cnnc::buildCNNToLinalgPipeline(OpPassManager &pm,
                                     const PipelineOptions &options) {
  if (Error error = buildGraphAndFusionPipeline(pm, options))
    return error;
  pm.addPass(createCNNLowerToLinalg());
  if (options.fusion)
    pm.addPass(createCNNFuseElementwise());
  // Before canonicalization folds the views of grouped convolutions into
  // their neighbours, which hides their form.
  if (options.block > 0) {
    CNNAssignLayoutOptions layout;
    layout.block = options.block;
    layout.loneConvolutionsInNCHW = options.loneConvolutionsInNCHW;
    pm.addPass(createCNNAssignLayout(layout));
    if (options.winograd) {
      CNNUseWinogradOptions winograd;
      winograd.tile = options.winogradTile;
      winograd.maxTile = options.winogradMaxTile;
      pm.addPass(createCNNUseWinograd(winograd));
    }
  }
  pm.addPass(createCanonicalizerPass());
  return Error::success();
}

Error cnnc::buildCNNToLoopsPipeline(OpPassManager &pm,
                                    const PipelineOptions &options) {
  if (Error error = buildCNNToLinalgPipeline(pm, options))
    return error;
  pm.addPass(createCNNLowerReorders());
  // A padded convolution input's producer writes into the padded buffer
  // (the blocked kernels have no flattened 1x1 form to lose by it).
  if (options.block > 0)
    pm.addPass(createCNNPadInPlace());
  // A concat's or a shuffle's destination comes before its parts' chains,
  // so that the rule below lets each part write into its slice.
  pm.addPass(createCNNHoistInsertDestinations());
  // A tensor.empty that only becomes a slice of another tensor (the tiles
  // of a fused chain, the operands of a concat) is replaced by that slice,
  // so the producer writes in place.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  // Copies as loops, not memref.copy: a strided memref.copy becomes a call
  // to MLIR's runtime library, which generated code must not depend on.
  bufferization.memCpyFn = [](OpBuilder &b, Location loc, Value from,
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
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  // Tiles written in place leave copies of a slice onto the same slice, and
  // loops that carry their output buffer unchanged: both fold away.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Results become out-parameters, and the buffers they were copied from
  // become those out-parameters where nothing else needs them.
  pm.addPass(bufferization::createBufferResultsToOutParamsPass());
  pm.addPass(createCNNWriteResultsInPlace());
  pm.addPass(createCNNFlattenConstantGlobals());
  CNNPlanMemoryOptions planOptions;
  planOptions.scratchArgument = options.scratchArgument;
  pm.addPass(createCNNPlanMemory(planOptions));
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addPass(createCanonicalizerPass());
  CNNVectorizeConvolutionsOptions nchwKernels;
  nchwKernels.vectorRegisters = options.vectorRegisters;
  nchwKernels.vectorLanes = options.vectorLanes;
  pm.addPass(createCNNVectorizeConvolutions(nchwKernels));
  CNNVectorizeBlockedConvolutionsOptions kernels;
  kernels.vectorRegisters = options.vectorRegisters;
  kernels.vectorLanes = options.vectorLanes;
  pm.addPass(createCNNVectorizeBlockedConvolutions(kernels));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCNNOutlineLoopNests());
  return Error::success();
}

Error cnnc::buildCNNToLLVMPipeline(OpPassManager &pm,
                                   const PipelineOptions &options) {
  if (Error error = buildCNNToLoopsPipeline(pm, options))
    return error;
  buildLowerLoopsToLLVMPipeline(pm, options.barePointers,
                                options.minParallelWork);
  return Error::success();
}

void cnnc::registerCompilerDependencies(DialectRegistry &registry) {
  // Before tensor's bufferization models, which bring upstream's subset
  // models: the first one attached is the one used.
  registerStaticSubsetModels(registry);
  registry.insert<cnn::CNNDialect, CnncDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

void cnnc::registerCompilerPasses() {
  registerCNNCPasses();
  registerCNNCConversionPasses();
  registerCNNCTransformsPasses();
  registerCNNCTargetCPUPasses();
}

namespace {

using PipelineBuilder =
    std::function<Error(OpPassManager &, const cnnc::PipelineOptions &)>;

/// Registers a pipeline that takes PipelineOptions; a pipeline that cannot
/// be built (a fusion pipeline that does not parse) is an error of the
/// pass manager's parser, not a crash.
void registerPipeline(StringRef name, StringRef description,
                      PipelineBuilder build) {
  registerPassPipeline(
      name, description,
      [build](OpPassManager &pm, StringRef text,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        cnnc::PipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (Error error = build(pm, options))
          return errorHandler(llvm::toString(std::move(error)));
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(cnnc::PipelineOptions());
      });
}

} // namespace

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
  registerPipeline(
      "cnnc-lower-to-loops",
      "Lower functions of cnn ops on tensors to loops on buffers (batch-norm "
      "and constant folding, fusion, cnn to linalg, bufferization with results "
      "as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions)",
      buildCNNToLoopsPipeline);
  registerPipeline(
      "cnnc-lower-to-llvm",
      "Lower functions of cnn ops on tensors to the LLVM dialect (batch-norm "
      "and constant folding, fusion, cnn to linalg, bufferization with results "
      "as "
      "out-parameters, flat constant globals, one arena for temporary "
      "buffers, deallocation, vectorized convolutions, loops to LLVM)",
      buildCNNToLLVMPipeline);
}

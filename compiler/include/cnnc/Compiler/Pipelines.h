//===- Pipelines.h - the pipelines of cnnc ----------------------*- C++ -*-===//

#ifndef CNNC_COMPILER_PIPELINES_H
#define CNNC_COMPILER_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// The graph passes that run before fusion: batch-norm folding, constant
/// folding, canonicalization.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// The fusion passes of the default pipeline, in order:
/// cnn-fold-channel-shuffle, cnn-fuse-depthwise-pointwise, cnn-fuse-epilogue.
/// `tileBytes`, when positive, overrides the tile budget of the tiled
/// fusions (cnn-fuse-bottleneck, cnn-fuse-depthwise-pointwise).
void buildFusionPipeline(mlir::OpPassManager &pm, int64_t tileBytes = 0);

/// The graph passes, then (when `fusion`) a user's `extraFusion` passes (a
/// textual pipeline that must parse) and buildFusionPipeline: the cnn-level
/// part of the default pipeline, which `cnnc --emit=linalg` and
/// `--fusion-report` also run.
void buildGraphAndFusionPipeline(mlir::OpPassManager &pm, bool fusion = true,
                                 llvm::StringRef extraFusion = "",
                                 int64_t tileBytes = 0);

/// buildGraphAndFusionPipeline, cnn-lower-to-linalg and (when `fusion`)
/// cnn-fuse-elementwise: linalg and tensor ops on tensors, what
/// `cnnc --emit=linalg` prints.
void buildCNNToLinalgPipeline(mlir::OpPassManager &pm, bool fusion = true,
                              llvm::StringRef extraFusion = "",
                              int64_t tileBytes = 0);

/// Lowers functions of cnn ops on tensors to loops on buffers: batch-norm and
/// constant folding, fusion (unless `fusion` is false), cnn to linalg, one-shot
/// bufferization of whole functions (tensor arguments become memrefs; results
/// become trailing out-parameters), flat constant globals, one arena for the
/// temporary buffers (with `scratchArgument`, taken from the caller as a new
/// last argument), buffer deallocation and vectorized convolutions.
/// `extraFusion` is a textual pipeline of more fusion passes (a plugin's),
/// run before cnnc's own; it must parse (check with mlir::parsePassPipeline).
void buildCNNToLoopsPipeline(mlir::OpPassManager &pm,
                             bool scratchArgument = false, bool fusion = true,
                             llvm::StringRef extraFusion = "",
                             int64_t tileBytes = 0);

/// Lowers functions of cnn ops on tensors to the LLVM dialect:
/// buildCNNToLoopsPipeline, then buildLowerLoopsToLLVMPipeline.
void buildCNNToLLVMPipeline(mlir::OpPassManager &pm, bool barePointers = false,
                            bool scratchArgument = false, bool fusion = true,
                            llvm::StringRef extraFusion = "",
                            int64_t tileBytes = 0);

/// Registers the dialects and the external interface models (bufferization
/// of arith, tensor, linalg, scf and func ops) that the pipelines above need.
void registerCompilerDependencies(mlir::DialectRegistry &registry);

/// Registers the pipelines above under their command-line names.
void registerCompilerPipelines();

} // namespace cnnc

#endif // CNNC_COMPILER_PIPELINES_H

//===- Pipelines.h - the pipelines of cnnc ----------------------*- C++ -*-===//
//
// The passes from the cnn dialect on tensors to the LLVM dialect, in order,
// as cnnc::compile runs them and cnnc-opt offers them by name. A builder
// that takes a user's pipeline text (PipelineOptions::fusionPasses) returns
// an error when it does not parse.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_PIPELINES_H
#define CNNC_COMPILER_PIPELINES_H

#include "cnnc/Compiler/CompileOptions.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// Parses `pipeline` (a textual pass pipeline on modules) into `pm`; the
/// error says what does not parse.
llvm::Error addFusionPasses(mlir::OpPassManager &pm, llvm::StringRef pipeline);

/// The graph passes that run before fusion: batch-norm folding, constant
/// folding, canonicalization.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// The fusion passes of the default pipeline, in order:
/// cnn-fold-channel-shuffle, cnn-eliminate-concat, cnn-fuse-squeeze-excite,
/// cnn-fuse-bottleneck, cnn-fuse-depthwise-pointwise, cnn-fuse-epilogue.
/// `tileBytes`, when positive, overrides the tile budget of the tiled
/// fusions (cnn-fuse-bottleneck, cnn-fuse-depthwise-pointwise).
void buildFusionPipeline(mlir::OpPassManager &pm, int64_t tileBytes = 0);

/// The graph passes, then (with `fusion`) the user's fusion passes and
/// buildFusionPipeline: the cnn-level part of the default pipeline, which
/// `cnnc --emit=linalg` and `--fusion-report` also run.
llvm::Error buildGraphAndFusionPipeline(mlir::OpPassManager &pm,
                                        const PipelineOptions &options);

/// buildGraphAndFusionPipeline, cnn-lower-to-linalg and (with `fusion`)
/// cnn-fuse-elementwise: linalg and tensor ops on tensors, what
/// `cnnc --emit=linalg` prints.
llvm::Error buildCNNToLinalgPipeline(mlir::OpPassManager &pm,
                                     const PipelineOptions &options);

/// Lowers functions of cnn ops on tensors to loops on buffers: batch-norm and
/// constant folding, fusion (unless `fusion` is off), cnn to linalg, one-shot
/// bufferization of whole functions (tensor arguments become memrefs; results
/// become trailing out-parameters), flat constant globals, one arena for the
/// temporary buffers (with `scratch-argument`, taken from the caller as a new
/// last argument), buffer deallocation and vectorized convolutions.
llvm::Error buildCNNToLoopsPipeline(mlir::OpPassManager &pm,
                                    const PipelineOptions &options);

/// Lowers functions of cnn ops on tensors to the LLVM dialect:
/// buildCNNToLoopsPipeline, then the CPU target's loops-to-LLVM pipeline
/// (with `bare-pointers`, the C calling convention).
llvm::Error buildCNNToLLVMPipeline(mlir::OpPassManager &pm,
                                   const PipelineOptions &options);

/// Registers the dialects and the external interface models (bufferization
/// of arith, tensor, linalg, scf and func ops) that the pipelines above need.
void registerCompilerDependencies(mlir::DialectRegistry &registry);

/// Registers every pass of cnnc (graph and fusion passes, the conversion,
/// the buffer-level passes) under its command-line name.
void registerCompilerPasses();

/// Registers the pipelines above under their command-line names:
/// cnnc-fuse, cnnc-lower-to-loops, cnnc-lower-to-llvm (which take
/// PipelineOptions) and cnnc-lower-loops-to-llvm.
void registerCompilerPipelines();

} // namespace cnnc

#endif // CNNC_COMPILER_PIPELINES_H

//===- Compiler.h - compile a cnn-level module to artifacts -----*- C++ -*-===//
//
// The one entry into cnnc's compiler for every front end (cnnc, and later
// the ONNX importer and the Python package): a module in the cnn dialect
// and CompileOptions in, Artifacts out, errors as llvm::Error (a pass's own
// failure as its diagnostics, on the context's handler).
//
//   cnnc::CompileOptions options;
//   options.emit = cnnc::EmitKind::SharedLib;
//   llvm::Expected<cnnc::Artifacts> artifacts = cnnc::compile(module, options);
//   if (artifacts)
//     error = cnnc::writeArtifacts(*artifacts, "libmodel.so");
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_COMPILER_H
#define CNNC_COMPILER_COMPILER_H

#include "cnnc/Compiler/CompileOptions.h"
#include "cnnc/Passes/FusionReport.h"
#include "cnnc/Target/CPU/CInterface.h"
#include "cnnc/Target/CPU/Emission.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace cnnc {

/// What compile() made of a module, ready for writeArtifacts().
struct Artifacts {
  EmitKind emit = EmitKind::CNN;
  /// The model's inputs and outputs, as the C API and the header name them.
  ModelSignature signature;
  /// The module, lowered in place as far as `emit` asks (the IR kinds).
  mlir::ModuleOp module;
  /// The scratch arena's bytes and what the temporary buffers would take
  /// without reuse; 0 before bufferization (EmitKind::CNN, Linalg).
  int64_t arenaBytes = 0, unplannedBytes = 0;
  /// The C header (EmitKind::Header).
  std::string header;
  /// The model's picture as Graphviz text (EmitKind::Dot, SVG).
  std::string graph;
  /// The machine the code is for.
  TargetSpec target;
  /// The threads that generate a shared library's code: at most the CPUs,
  /// fewer for a small module, 1 when the MLIR context runs single-threaded
  /// (--mlir-disable-threading); or exactly CompileOptions::codegenThreads.
  unsigned codegenThreads = 1;
  bool exactCodegenThreads = false;
  /// llvmModule is not optimized yet: writing a shared library optimizes it
  /// in the parts that its threads generate.
  bool optimizeAtCodegen = false;
  /// LLVM IR with the C API, optimized (LLVMIR, Asm, Obj, SharedLib).
  std::unique_ptr<llvm::LLVMContext> llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  /// CompileOptions::progress, for the stages that writeArtifacts() runs.
  ProgressCallback progress;
};

/// compile()'s error when a pass failed: the pass reported why through the
/// context's diagnostics, so there is nothing to add.
class DiagnosedFailure : public llvm::ErrorInfo<DiagnosedFailure> {
public:
  static char ID;
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;
};

/// Adjusts the pass manager compile() runs (instrumentation, IR printing,
/// timing: what cnnc's command line asks for).
using PassManagerHook =
    llvm::function_ref<mlir::LogicalResult(mlir::PassManager &)>;

/// Compiles `module` (one model function of cnn ops on tensors, the form
/// the frontend emits) as far as `options.emit` asks: the module itself is
/// lowered in place; LLVM IR and after get the C API. Every parameter needs
/// a value past EmitKind::CNN.
llvm::Expected<Artifacts> compile(mlir::ModuleOp module,
                                  const CompileOptions &options,
                                  PassManagerHook configure = nullptr);

/// Writes `artifacts` to `path` ("-" for stdout, not for objects and
/// libraries): the IR (with a final newline), the header, LLVM IR,
/// assembly, an object file, or a shared library linked with lld.
llvm::Error writeArtifacts(const Artifacts &artifacts, llvm::StringRef path);

/// The signature of the model function of a cnn-level module: its inputs
/// and outputs with the names the frontend gave them (`cnn.name`).
llvm::Expected<ModelSignature> getModelSignature(mlir::ModuleOp module);

/// The fusion report of `module` (cnnc --fusion-report): runs the graph and
/// fusion passes on a copy, then writes to `os`, as text or as the JSON of
/// docs/fusion-report.md, each chain they fused, each candidate they left
/// unfused and why, and the scratch memory with and without fusion.
llvm::Error reportFusion(mlir::ModuleOp module, const CompileOptions &options,
                         fusion::FusionReportFormat format,
                         llvm::raw_ostream &os);

} // namespace cnnc

#endif // CNNC_COMPILER_COMPILER_H

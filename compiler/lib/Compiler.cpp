//===- Compiler.cpp - compile a cnn-level module to artifacts -------------===//

#include "cnnc/Compiler/Compiler.h"
#include "cnnc/Compiler/ModelGraph.h"
#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Passes/Passes.h"
#include "cnnc/Support/OutputFile.h"
#include "cnnc/Target/CPU/CNames.h"
#include "cnnc/Target/CPU/CpuFeatures.h"

#include "WeightResources.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Threading.h"

#include <fmt/format.h>

using namespace mlir;
using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using llvm::inconvertibleErrorCode;

char cnnc::DiagnosedFailure::ID;

void cnnc::DiagnosedFailure::log(llvm::raw_ostream &os) const {
  os << "a pass failed; its diagnostics say why";
}

std::error_code cnnc::DiagnosedFailure::convertToErrorCode() const {
  return inconvertibleErrorCode();
}

namespace {

/// The attribute that names a model's tensors (`cnn.name`).
constexpr llvm::StringLiteral kTensorName =
    cnnc::cnn::CNNDialect::NameAttrHelper::getNameStr();

/// Drops the tensor names from the model function: they live in the
/// signature from here on, and LLVM has no use for them.
void stripTensorNames(ModuleOp module) {
  module.walk([](func::FuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, kTensorName);
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, StringAttr::get(func.getContext(), kTensorName));
  });
}

/// The module attribute `name` (an annotation of cnn-plan-memory), or 0.
int64_t bytesAttribute(ModuleOp module, llvm::StringRef name) {
  auto attr = module->getAttrOfType<IntegerAttr>(name);
  return attr ? attr.getInt() : 0;
}

/// Whether `kind` names the C API's symbols after the model: the header,
/// and the lowering to the LLVM dialect, which declares the C library
/// functions that the code calls.
bool namesCSymbols(cnnc::EmitKind kind) {
  return kind == cnnc::EmitKind::Header ||
         kind == cnnc::EmitKind::LLVMDialect || cnnc::isMachineCode(kind);
}

/// Checks that the model's name (`signature.name`) can prefix C symbols,
/// and renames the model function to its internal name: a model named
/// `free` or `expf` must not take the place of the C library's.
Error nameModelFunction(ModuleOp module, const cnnc::CompileOptions &options,
                        const cnnc::ModelSignature &signature) {
  func::FuncOp func = *module.getOps<func::FuncOp>().begin();
  std::string problem = cnnc::symbolPrefixProblem(signature.name);
  if (!problem.empty() && !options.name.empty())
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("the name '{}' cannot prefix the library's C symbols: {}",
                    signature.name, problem));
  if (!problem.empty()) {
    emitError(func.getLoc()) << fmt::format(
        "the model's name '{}' cannot prefix the library's C symbols: {}; "
        "give the library another name (cnnc --name=NAME)",
        signature.name, problem);
    return llvm::make_error<cnnc::DiagnosedFailure>();
  }
  if (options.emit != cnnc::EmitKind::Header)
    func.setSymName(cnnc::internalModelFunctionName(signature.name));
  return Error::success();
}

/// The pipeline that lowers a module as far as `options.emit` asks.
Error buildPipeline(OpPassManager &pm, const cnnc::CompileOptions &options) {
  switch (options.emit) {
  case cnnc::EmitKind::CNN:
  case cnnc::EmitKind::Header:
    return Error::success();
  case cnnc::EmitKind::Dot:
  case cnnc::EmitKind::SVG:
    return cnnc::buildGraphAndFusionPipeline(pm, options);
  case cnnc::EmitKind::Linalg:
    return cnnc::buildCNNToLinalgPipeline(pm, options);
  case cnnc::EmitKind::Loops:
    return cnnc::buildCNNToLoopsPipeline(pm, options);
  case cnnc::EmitKind::LLVMDialect:
    return cnnc::buildCNNToLLVMPipeline(pm, options);
  case cnnc::EmitKind::LLVMIR:
  case cnnc::EmitKind::Asm:
  case cnnc::EmitKind::Obj:
  case cnnc::EmitKind::Archive:
  case cnnc::EmitKind::SharedLib: {
    // Machine code has the C API's calling convention: bare pointers and
    // the scratch arena from the caller.
    cnnc::CompileOptions machine;
    machine.copyOptionValuesFrom(options);
    machine.barePointers = true;
    machine.scratchArgument = true;
    return cnnc::buildCNNToLLVMPipeline(pm, machine);
  }
  }
  llvm_unreachable("every EmitKind is handled");
}

/// `options` with the blocked layout's block, the vector lanes and the
/// registers taken from the target where it asks for that.
Error resolveTargetVectors(const cnnc::CompileOptions &options,
                           cnnc::CompileOptions &resolved) {
  resolved.copyOptionValuesFrom(options);
  if (options.block != cnnc::CompileOptions::kBlockFromTarget &&
      options.block < 0)
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("block must be 0 (NCHW) or a positive number of lanes, "
                    "got {}",
                    static_cast<int64_t>(options.block)));
  // The NCHW kernels take the target's vectors too (--block=0 keeps them).
  if (options.block == cnnc::CompileOptions::kBlockFromTarget ||
      options.block == 0) {
    Expected<cnnc::TargetVectors> vectors =
        cnnc::getTargetVectors({options.triple, options.cpu, options.optLevel,
                                cnnc::Sanitizer::None, options.features});
    if (!vectors)
      return vectors.takeError();
    if (options.block == cnnc::CompileOptions::kBlockFromTarget)
      resolved.block = vectors->lanes;
    resolved.vectorLanes = vectors->lanes;
    resolved.vectorRegisters = vectors->registers;
  }
  return Error::success();
}

/// The scratch arena that a copy of `module` lowered to loops needs, with
/// or without fusion.
Expected<int64_t> scratchBytesOf(ModuleOp module,
                                 const cnnc::CompileOptions &options,
                                 bool fusion) {
  OwningOpRef<ModuleOp> copy(module.clone());
  PassManager pm(module.getContext());
  cnnc::CompileOptions loops;
  if (Error error = resolveTargetVectors(options, loops))
    return std::move(error);
  loops.fusion = fusion;
  loops.winograd = options.winograd;
  loops.winogradTile = options.winogradTile;
  loops.winogradMaxTile = options.winogradMaxTile;
  loops.scratchArgument = true;
  if (Error error = cnnc::buildCNNToLoopsPipeline(pm, loops))
    return std::move(error);
  if (failed(pm.run(*copy)))
    return llvm::make_error<cnnc::DiagnosedFailure>();
  return bytesAttribute(*copy,
                        cnnc::CnncDialect::ArenaBytesAttrHelper::getNameStr());
}

/// Links the shared library into a temporary file and copies it to `path`:
/// the linker's own messages about a path it cannot write (/dev/full, a
/// missing directory) name no file of ours and say "LLVM ERROR".
Error writeSharedLibraryTo(const cnnc::Artifacts &artifacts,
                           llvm::StringRef path,
                           cnnc::CodegenProgress progress) {
  llvm::SmallString<128> linked;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("cnnc", "so", linked))
    return createStringError(error, "cannot create a temporary file: " +
                                        error.message());
  llvm::FileRemover removeLinked(linked);
  if (Error error = cnnc::writeSharedLibrary(
          *artifacts.llvmModule, artifacts.target, linked, std::move(progress),
          artifacts.codegenThreads, artifacts.exactCodegenThreads,
          artifacts.optimizeAtCodegen))
    return error;
  return cnnc::copyToOutputFile(linked, path);
}

} // namespace

Expected<cnnc::ModelSignature> cnnc::getModelSignature(ModuleOp module) {
  auto functions = module.getOps<func::FuncOp>();
  if (std::distance(functions.begin(), functions.end()) != 1)
    return createStringError(inconvertibleErrorCode(),
                             "expected one model function in the module");
  func::FuncOp func = *functions.begin();
  ModelSignature signature;
  signature.name = func.getSymName().str();
  auto describe = [](Type type, StringAttr name,
                     std::string fallback) -> Expected<TensorSignature> {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return createStringError(inconvertibleErrorCode(),
                               "model arguments and results must be tensors");
    TensorSignature result;
    result.name = name ? name.str() : fallback;
    Type element = tensor.getElementType();
    result.dtype = element.isF32()    ? "f32"
                   : element.isF16()  ? "f16"
                   : element.isBF16() ? "bf16"
                                      : "f64";
    result.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    return result;
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Expected<TensorSignature> input =
        describe(func.getArgument(i).getType(),
                 func.getArgAttrOfType<StringAttr>(i, kTensorName),
                 fmt::format("input{}", i));
    if (!input)
      return input.takeError();
    signature.inputs.push_back(std::move(*input));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    Expected<TensorSignature> output =
        describe(func.getResultTypes()[i],
                 func.getResultAttrOfType<StringAttr>(i, kTensorName),
                 fmt::format("output{}", i));
    if (!output)
      return output.takeError();
    signature.outputs.push_back(std::move(*output));
  }
  return signature;
}

namespace {
/// compile(), which clears the progress line when it returns.
Expected<cnnc::Artifacts> compileModule(ModuleOp module,
                                        const cnnc::CompileOptions &options,
                                        cnnc::PassManagerHook configure) {
  using namespace cnnc;
  if (options.optLevel > 3)
    return createStringError(inconvertibleErrorCode(),
                             "opt-level takes 0, 1, 2 or 3");
  Artifacts artifacts;
  artifacts.emit = options.emit;
  artifacts.module = module;
  artifacts.target = {options.triple,   options.cpu,
                      options.optLevel, options.sanitize,
                      options.features, options.llvmUnrollLoops};
  artifacts.exactCodegenThreads = options.codegenThreads != 0;
  artifacts.codegenThreads =
      options.codegenThreads != 0 ? options.codegenThreads
      : module.getContext()->isMultithreadingEnabled()
          ? llvm::hardware_concurrency().compute_thread_count()
          : 1;
  // Another batch first: the signature, the header and every kind of
  // output have it.
  if (options.batch != 0) {
    PassManager batch(module.getContext());
    cnnc::CNNSetBatchOptions batchOptions;
    batchOptions.batch = options.batch;
    batch.addPass(cnnc::createCNNSetBatch(batchOptions));
    if (failed(batch.run(module)))
      return llvm::make_error<DiagnosedFailure>();
  }
  Expected<ModelSignature> signature = getModelSignature(module);
  if (!signature)
    return signature.takeError();
  artifacts.signature = std::move(*signature);
  if (!options.name.empty())
    artifacts.signature.name = options.name;
  if (namesCSymbols(options.emit))
    if (Error error = nameModelFunction(module, options, artifacts.signature))
      return std::move(error);
  if (options.emit == EmitKind::Header) {
    Expected<std::string> features =
        cpuFeaturesHeaderSection(artifacts.signature.name, artifacts.target);
    if (!features)
      return features.takeError();
    artifacts.header = generateHeader(artifacts.signature, *features);
    return std::move(artifacts);
  }
  if (options.emit == EmitKind::CNN)
    return std::move(artifacts);

  stripTensorNames(module);
  CompileOptions resolved;
  if (Error error = resolveTargetVectors(options, resolved))
    return std::move(error);
  resolved.batch = 0; // Set above.
  PassManager pm(module.getContext());
  // The IR is verified before and after the pipeline rather than after
  // each of its passes (about 1.5 s of DenseNet-121's 5.5 s in MLIR);
  // cnnc-opt and the numeric tests still verify after each pass, and so
  // does --verify-each, or a pipeline with a user's fusion passes, whose
  // mistakes must be reported where they are made.
  pm.enableVerifier(options.verifyEach ||
                    !options.fusionPasses.getValue().empty());
  if (configure && failed(configure(pm)))
    return llvm::make_error<DiagnosedFailure>();
  if (Error error = buildPipeline(pm, resolved))
    return std::move(error);
  llvm::SmallVector<llvm::StringRef> stages = progressStages(options.emit);
  if (options.progress && !stages.empty())
    addProgressInstrumentation(pm, options.progress, 1, stages.size(),
                               stages[0]);
  bool release = options.releaseWeights && isMachineCode(options.emit);
  ResourceSet weights;
  if (release)
    weights = resourcesOf(module);
  if (failed(mlir::verify(module)) || failed(pm.run(module)) ||
      failed(mlir::verify(module)))
    return llvm::make_error<DiagnosedFailure>();
  ResourceSet lowered;
  if (release) {
    // The weights that passes replaced (repacked, folded) are garbage now.
    lowered = resourcesOf(module);
    releaseResources(weights, lowered);
  }
  if (options.emit == EmitKind::Dot || options.emit == EmitKind::SVG) {
    llvm::raw_string_ostream graph(artifacts.graph);
    printModelGraph(module, artifacts.signature, graph);
    return std::move(artifacts);
  }
  artifacts.arenaBytes =
      bytesAttribute(module, CnncDialect::ArenaBytesAttrHelper::getNameStr());
  artifacts.unplannedBytes = bytesAttribute(
      module, CnncDialect::UnplannedBytesAttrHelper::getNameStr());
  if (!isMachineCode(options.emit))
    return std::move(artifacts);

  if (options.progress)
    options.progress({2, static_cast<unsigned>(stages.size()), stages[1]});
  artifacts.llvmContext = std::make_unique<llvm::LLVMContext>();
  // A shared library is optimized part by part as its threads generate
  // code (ParallelCodegen.cpp), unless a sanitizer instruments it: its
  // globals' registration must stay in one object.
  artifacts.optimizeAtCodegen = options.emit == EmitKind::SharedLib &&
                                options.sanitize == Sanitizer::None;
  Expected<std::unique_ptr<llvm::Module>> llvmModule = translateToLLVMIR(
      module, *artifacts.llvmContext, artifacts.target,
      [&](llvm::Module &llvm) {
        return addCInterface(llvm, artifacts.signature, artifacts.arenaBytes);
      },
      /*optimize=*/!artifacts.optimizeAtCodegen);
  if (!llvmModule)
    return llvmModule.takeError();
  // LLVM IR has its own copy of every weight.
  if (release)
    releaseResources(lowered);
  artifacts.llvmModule = std::move(*llvmModule);
  return std::move(artifacts);
}
} // namespace

Expected<cnnc::Artifacts> cnnc::compile(ModuleOp module,
                                        const CompileOptions &options,
                                        PassManagerHook configure) {
  Expected<Artifacts> artifacts = compileModule(module, options, configure);
  // Code generation, if any, reports on the same line; else it is done.
  bool more =
      artifacts && options.progress && progressStages(options.emit).size() > 2;
  if (more)
    artifacts->progress = options.progress;
  else if (options.progress)
    options.progress({});
  return artifacts;
}

namespace {
/// writeArtifacts(), without the progress.
Error writeArtifactsTo(const cnnc::Artifacts &artifacts, llvm::StringRef path,
                       cnnc::CodegenProgress progress) {
  using namespace cnnc;
  if (artifacts.emit == EmitKind::SharedLib)
    return writeSharedLibraryTo(artifacts, path, std::move(progress));
  if (artifacts.emit == EmitKind::SVG)
    return renderSVG(artifacts.graph, path);
  return writeOutputFile(path, [&](llvm::raw_pwrite_stream &os) -> Error {
    switch (artifacts.emit) {
    case EmitKind::CNN:
    case EmitKind::Linalg:
    case EmitKind::Loops:
    case EmitKind::LLVMDialect:
      artifacts.module->print(os);
      os << "\n";
      return Error::success();
    case EmitKind::Header:
      os << artifacts.header;
      return Error::success();
    case EmitKind::Dot:
      os << artifacts.graph;
      return Error::success();
    case EmitKind::LLVMIR:
      artifacts.llvmModule->print(os, nullptr);
      return Error::success();
    case EmitKind::Asm:
    case EmitKind::Obj:
      return emitMachineCode(*artifacts.llvmModule, artifacts.target,
                             artifacts.emit == EmitKind::Asm
                                 ? llvm::CodeGenFileType::AssemblyFile
                                 : llvm::CodeGenFileType::ObjectFile,
                             os, std::move(progress));
    case EmitKind::Archive:
      return writeStaticArchive(*artifacts.llvmModule, artifacts.target,
                                artifacts.signature.name + ".o", os,
                                std::move(progress));
    case EmitKind::SharedLib:
    case EmitKind::SVG:
      break;
    }
    llvm_unreachable("a shared library and a picture are written above");
  });
}
} // namespace

Error cnnc::writeArtifacts(const Artifacts &artifacts, llvm::StringRef path) {
  if (!artifacts.progress)
    return writeArtifactsTo(artifacts, path, nullptr);
  llvm::SmallVector<llvm::StringRef> stages = progressStages(artifacts.emit);
  ProgressEvent event{3, static_cast<unsigned>(stages.size()), stages[2]};
  artifacts.progress(event);
  Error error =
      writeArtifactsTo(artifacts, path, [&](unsigned done, unsigned total) {
        event.done = done;
        event.total = total;
        event.detail = "functions";
        artifacts.progress(event);
      });
  artifacts.progress({});
  return error;
}

Error cnnc::reportFusion(ModuleOp module, const CompileOptions &options,
                         fusion::FusionReportFormat format,
                         llvm::raw_ostream &os) {
  OwningOpRef<ModuleOp> copy(module.clone());
  PassManager pm(module.getContext());
  if (Error error = buildGraphAndFusionPipeline(pm, options))
    return error;
  if (failed(pm.run(*copy)))
    return llvm::make_error<DiagnosedFailure>();
  fusion::FusionReport report = fusion::describeFusion(*copy);
  // Both lowerings run even when the first fails: their diagnostics differ.
  Expected<int64_t> unfused = scratchBytesOf(module, options, /*fusion=*/false);
  Expected<int64_t> fused =
      options.fusion ? scratchBytesOf(module, options, /*fusion=*/true)
                     : Expected<int64_t>(unfused ? *unfused : 0);
  if (!unfused || !fused)
    return llvm::joinErrors(unfused.takeError(), fused.takeError());
  report.scratch = fusion::ScratchMemory{*unfused, *fused, options.fusion};
  fusion::printFusionReport(report, format, os);
  return Error::success();
}

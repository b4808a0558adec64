//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// Reads a model written in the .cnn language and prints its cnn dialect IR.
// Later stages (lowering, code generation) extend --emit.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Conversion/Passes.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Parser.h"
#include "cnnc/Frontend/Weights.h"
#include "cnnc/Passes/Passes.h"
#include "cnnc/Target/CPU/CInterface.h"
#include "cnnc/Target/CPU/Emission.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class EmitKind {
  CNN,
  Linalg,
  Loops,
  LLVMDialect,
  LLVMIR,
  Asm,
  Obj,
  SharedLib,
  Header
};

cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.cnn>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<EmitKind> emit(
    "emit",
    cl::desc("What to produce (default: from the -o file's extension: .so, "
             ".o, .h, .ll, .s; else cnn)"),
    cl::init(EmitKind::CNN),
    cl::values(clEnumValN(EmitKind::CNN, "cnn",
                          "the model in the cnn dialect (tensors, NCHW)"),
               clEnumValN(EmitKind::Linalg, "linalg",
                          "after the graph and fusion passes and "
                          "cnn-lower-to-linalg: linalg and tensor ops"),
               clEnumValN(EmitKind::Loops, "loops",
                          "after bufferization, memory planning and "
                          "vectorization: loops on buffers"),
               clEnumValN(EmitKind::LLVMDialect, "llvm-dialect",
                          "after bufferization and lowering: the LLVM dialect"),
               clEnumValN(EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(EmitKind::Asm, "asm", "assembly for the target"),
               clEnumValN(EmitKind::Obj, "obj", "an object file (needs -o)"),
               clEnumValN(EmitKind::SharedLib, "so",
                          "a shared library linked with lld (needs -o)"),
               clEnumValN(EmitKind::Header, "header",
                          "the C header of the library's API")),
    cl::cat(category));
// --stats: registered in main, in place of LLVM's own -stats.
bool printStats = false;
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level, 0 to 3"),
                           cl::init(3), cl::Prefix, cl::cat(category));
cl::opt<std::string>
    targetTriple("mtriple", cl::desc("Target triple (default: the host's)"),
                 cl::value_desc("triple"), cl::cat(category));
cl::opt<std::string> targetCpu("mcpu",
                               cl::desc("Target CPU (default: the host's)"),
                               cl::value_desc("cpu"), cl::cat(category));
cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("Bind parameters by name to the tensors of a safetensors "
             "checkpoint (torchvision state_dict names)"),
    cl::value_desc("file.safetensors"), cl::cat(category));
cl::opt<uint64_t> randomWeights(
    "random-weights",
    cl::desc("Give every parameter deterministic pseudo-random values drawn "
             "from this seed (for benchmarks and tests)"),
    cl::value_desc("seed"), cl::cat(category));
cl::opt<bool> noFusion(
    "no-fusion",
    cl::desc("Compile without the fusion passes (each layer its own loop "
             "nest), to compare with the default"),
    cl::cat(category));
cl::opt<bool> fusionReport(
    "fusion-report",
    cl::desc("Print each fused chain (kind, ops, source positions), the "
             "intermediate traffic it removes, and the scratch memory with "
             "and without fusion (to stderr)"),
    cl::cat(category));
cl::opt<int64_t> fusionTileBytes(
    "fusion-tile-bytes",
    cl::desc("Tile budget in bytes of the tiled fusions (bottleneck, "
             "depthwise-pointwise) instead of their defaults"),
    cl::value_desc("bytes"), cl::init(0), cl::cat(category));
cl::list<std::string> passPlugins(
    "load-pass-plugin",
    cl::desc("Load passes from a plugin library (for --fusion-passes)"),
    cl::value_desc("library.so"), cl::cat(category));
cl::opt<std::string> fusionPasses(
    "fusion-passes",
    cl::desc("More fusion passes to run before cnnc's own, as a textual "
             "pass pipeline (a plugin's pass, or an in-tree one with "
             "options)"),
    cl::value_desc("pipeline"), cl::cat(category));
} // namespace

namespace {
bool fail(const Twine &message) {
  WithColor::error(errs(), "cnnc") << message << "\n";
  return false;
}

/// The scratch arena a copy of `module` needs, lowered to loops with or
/// without fusion; -1 if the lowering fails.
int64_t scratchBytesOf(mlir::ModuleOp module, bool fusion) {
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  mlir::PassManager pm(module.getContext());
  cnnc::buildCNNToLoopsPipeline(pm, /*scratchArgument=*/true, fusion,
                                fusionPasses, fusionTileBytes);
  if (failed(pm.run(*copy)))
    return -1;
  auto arena = (*copy)->getAttrOfType<mlir::IntegerAttr>(
      cnnc::CnncDialect::ArenaBytesAttrHelper::getNameStr());
  return arena ? arena.getInt() : 0;
}

/// --fusion-report: the fused chains (cnn-report-fusion after the graph and
/// fusion passes, on a copy) and the scratch memory with and without them.
bool reportFusion(mlir::ModuleOp module, bool fusion) {
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  mlir::PassManager pm(module.getContext());
  cnnc::buildGraphAndFusionPipeline(pm, fusion, fusionPasses, fusionTileBytes);
  pm.addPass(cnnc::createCNNReportFusion());
  if (failed(pm.run(*copy)))
    return false;
  int64_t unfused = scratchBytesOf(module, /*fusion=*/false);
  int64_t fused = fusion ? scratchBytesOf(module, /*fusion=*/true) : unfused;
  if (unfused < 0 || fused < 0)
    return false;
  errs() << "  scratch memory: " << unfused << " bytes without fusion, "
         << fused << " bytes with" << (fusion ? "" : " (--no-fusion)") << "\n";
  return true;
}

/// What an output file's name asks for when --emit is not given.
EmitKind emitKindFromOutputName(StringRef name) {
  StringRef extension = sys::path::extension(name);
  return StringSwitch<EmitKind>(extension)
      .Case(".so", EmitKind::SharedLib)
      .Case(".o", EmitKind::Obj)
      .Case(".h", EmitKind::Header)
      .Case(".ll", EmitKind::LLVMIR)
      .Case(".s", EmitKind::Asm)
      .Default(EmitKind::CNN);
}

/// Lowers the model as far as --emit asks and writes the result.
bool emitOutput(mlir::ModuleOp module) {
  bool binary = emit == EmitKind::Obj || emit == EmitKind::SharedLib;
  if (binary && outputFile == "-")
    return fail("--emit=obj and --emit=so write files: name one with -o");
  if (optLevel > 3)
    return fail("-O takes 0, 1, 2 or 3");

  Expected<cnnc::ModelSignature> signature = cnnc::getModelSignature(module);
  if (!signature)
    return fail(toString(signature.takeError()));
  std::string errorMessage;
  uint64_t scratchBytes = 0;
  if (emit == EmitKind::Header) {
    auto output = mlir::openOutputFile(outputFile, &errorMessage);
    if (!output)
      return fail(errorMessage);
    output->os() << cnnc::generateHeader(*signature);
    output->keep();
    return true;
  }

  if (fusionReport && emit == EmitKind::CNN)
    return fail("--fusion-report compiles the model: use it with an --emit "
                "past cnn (or -o lib.so)");
  if (emit != EmitKind::CNN) {
    // The names now live in the signature; LLVM has no use for them.
    module.walk([](mlir::func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.removeArgAttr(i, "cnn.name");
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.removeResultAttr(
            i, mlir::StringAttr::get(func.getContext(), "cnn.name"));
    });
    // Code needs every parameter's value: say so once, not per parameter.
    int64_t unbound = 0;
    module.walk([&](cnnc::cnn::WeightOp op) { unbound += !op.getValue(); });
    if (unbound)
      return fail("the model has " + Twine(unbound) +
                  " parameter(s) without values: give them with "
                  "--weights=FILE.safetensors or --random-weights=SEED");
    mlir::PassManager pm(module.getContext());
    if (failed(mlir::applyPassManagerCLOptions(pm)))
      return false;
    mlir::applyDefaultTimingPassManagerCLOptions(pm);
    // Past the LLVM dialect, functions take bare pointers and the scratch
    // arena: the C API. The loops show the arena argument too.
    bool machineCode = emit != EmitKind::Linalg && emit != EmitKind::Loops &&
                       emit != EmitKind::LLVMDialect;
    bool fusion = !noFusion;
    if (fusionReport && !reportFusion(module, fusion))
      return false;
    if (emit == EmitKind::Linalg) {
      // The default pipeline up to the linalg lowering.
      cnnc::buildCNNToLinalgPipeline(pm, fusion, fusionPasses, fusionTileBytes);
    } else if (emit == EmitKind::Loops)
      cnnc::buildCNNToLoopsPipeline(pm, /*scratchArgument=*/true, fusion,
                                    fusionPasses, fusionTileBytes);
    else
      cnnc::buildCNNToLLVMPipeline(pm, /*barePointers=*/machineCode,
                                   /*scratchArgument=*/machineCode, fusion,
                                   fusionPasses, fusionTileBytes);
    if (failed(pm.run(module)))
      return false;
    if (auto arena = module->getAttrOfType<mlir::IntegerAttr>(
            cnnc::CnncDialect::ArenaBytesAttrHelper::getNameStr()))
      scratchBytes = arena.getInt();
    if (printStats) {
      auto bytes = [&](StringRef name) {
        auto attr = module->getAttrOfType<mlir::IntegerAttr>(name);
        return attr ? attr.getInt() : 0;
      };
      if (emit == EmitKind::Linalg)
        errs() << "cnnc: --stats needs a lowering past bufferization "
                  "(--emit=llvm-dialect or later)\n";
      else
        errs() << "memory: arena "
               << bytes(cnnc::CnncDialect::ArenaBytesAttrHelper::getNameStr())
               << " bytes for the intermediate tensors (without reuse: "
               << bytes(
                      cnnc::CnncDialect::UnplannedBytesAttrHelper::getNameStr())
               << " bytes)\n";
    }
  }

  if (emit == EmitKind::CNN || emit == EmitKind::Linalg ||
      emit == EmitKind::Loops || emit == EmitKind::LLVMDialect) {
    auto output = mlir::openOutputFile(outputFile, &errorMessage);
    if (!output)
      return fail(errorMessage);
    module->print(output->os());
    output->os() << "\n";
    output->keep();
    return true;
  }

  cnnc::TargetSpec target{targetTriple, targetCpu, optLevel};
  LLVMContext llvmContext;
  Expected<std::unique_ptr<Module>> llvmModule =
      cnnc::translateToLLVMIR(module, llvmContext, target, [&](Module &llvm) {
        return cnnc::addCInterface(llvm, *signature, scratchBytes);
      });
  if (!llvmModule)
    return fail(toString(llvmModule.takeError()));

  if (emit == EmitKind::SharedLib) {
    SmallString<128> object;
    int fd;
    if (std::error_code error =
            sys::fs::createTemporaryFile("cnnc", "o", fd, object))
      return fail("cannot create a temporary file: " + error.message());
    FileRemover removeObject(object);
    {
      raw_fd_ostream os(fd, /*shouldClose=*/true);
      if (Error error = cnnc::emitMachineCode(**llvmModule, target,
                                              CodeGenFileType::ObjectFile, os))
        return fail(toString(std::move(error)));
    }
    if (Error error =
            cnnc::linkSharedLibrary({std::string(object)}, outputFile))
      return fail(toString(std::move(error)));
    return true;
  }

  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  if (emit == EmitKind::LLVMIR) {
    (*llvmModule)->print(output->os(), nullptr);
  } else if (Error error = cnnc::emitMachineCode(
                 **llvmModule, target,
                 emit == EmitKind::Asm ? CodeGenFileType::AssemblyFile
                                       : CodeGenFileType::ObjectFile,
                 output->os())) {
    return fail(toString(std::move(error)));
  }
  output->keep();
  return true;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // Every pass that cnnc runs can be named in --mlir-print-ir-after/before.
  mlir::registerAllPasses();
  cnnc::registerCNNCPasses();
  cnnc::registerCNNCConversionPasses();
  cnnc::registerCNNCTransformsPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  // Show cnnc's own options and the few MLIR printing options that matter for
  // its output, not the hundreds that libLLVM and libMLIR register.
  static cl::OptionCategory printing("IR printing options");
  cl::HideUnrelatedOptions({&category, &printing});
  // LLVM registers a -stats of its own (its statistics) by now; cnnc's
  // --stats reports memory instead.
  if (cl::Option *llvmStats = cl::getRegisteredOptions().lookup("stats"))
    llvmStats->removeArgument();
  static cl::opt<bool, true> stats(
      "stats", cl::location(printStats),
      cl::desc("Print the size of the arena that holds the intermediate "
               "tensors, and the bytes they would take without reuse"),
      cl::cat(category));
  for (const char *name :
       {"mlir-print-debuginfo", "mlir-pretty-debuginfo",
        "mlir-print-op-generic", "mlir-elide-elementsattrs-if-larger",
        "mlir-print-local-scope", "mlir-print-ir-after-all",
        "mlir-print-ir-after", "mlir-print-ir-before",
        "mlir-print-ir-before-all", "mlir-timing"}) {
    auto it = cl::getRegisteredOptions().find(name);
    if (it != cl::getRegisteredOptions().end()) {
      it->second->setHiddenFlag(cl::NotHidden);
      it->second->addCategory(printing);
    }
  }
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "cnnc: compile a convolutional network "
                                   "written in the .cnn language\n\n"
                                   "  cnnc model.cnn --emit=cnn                "
                                   "print the cnn dialect IR\n"
                                   "  cnnc model.cnn --mlir-print-debuginfo    "
                                   "... with model locations\n"
                                   "  cnnc model.cnn --random-weights=7        "
                                   "... with parameter values\n"
                                   "  cnnc model.cnn --weights=w.safetensors   "
                                   "... with a checkpoint's\n",
                                   &errs()))
    return 1;
  if (!emit.getNumOccurrences())
    emit = emitKindFromOutputName(outputFile);
  // As in mlir-opt, a plugin's passes register once the command line is
  // read, so they are named in --fusion-passes rather than as flags.
  for (const std::string &path : passPlugins) {
    Expected<mlir::PassPlugin> plugin = mlir::PassPlugin::load(path);
    if (!plugin) {
      WithColor::error(errs(), "cnnc")
          << "cannot load pass plugin '" << path
          << "': " << toString(plugin.takeError()) << "\n";
      return 1;
    }
    plugin->registerPassRegistryCallbacks();
  }
  if (fusionTileBytes < 0) {
    WithColor::error(errs(), "cnnc")
        << "--fusion-tile-bytes must be positive, got " << fusionTileBytes
        << "\n";
    return 1;
  }
  if (!fusionPasses.empty()) {
    mlir::OpPassManager check("builtin.module");
    std::string message;
    raw_string_ostream os(message);
    if (failed(mlir::parsePassPipeline(fusionPasses, check, os))) {
      WithColor::error(errs(), "cnnc")
          << "--fusion-passes: " << StringRef(message).trim() << "\n";
      return 1;
    }
  }
  if (!weightsFile.empty() && randomWeights.getNumOccurrences()) {
    WithColor::error(errs(), "cnnc")
        << "--weights and --random-weights exclude each other\n";
    return 1;
  }

  SourceMgr sourceMgr;
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    WithColor::error(errs(), "cnnc")
        << "cannot read '" << inputFile << "': " << error.message() << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());

  mlir::DialectRegistry registry;
  cnnc::registerCompilerDependencies(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics point at the model's lines; the IR op adds nothing there.
  context.printOpOnDiagnostic(false);
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  cnnc::frontend::Diagnostics diagnostics(sourceMgr);

  std::optional<cnnc::frontend::Module> module =
      cnnc::frontend::parseModule(diagnostics);
  if (!module)
    return 1;
  std::optional<cnnc::frontend::EmittedModel> emitted =
      cnnc::frontend::emitModel(*module, context, diagnostics);
  if (!emitted)
    return 1;
  if (!weightsFile.empty()) {
    Expected<cnnc::SafetensorsFile> checkpoint =
        cnnc::SafetensorsFile::open(weightsFile);
    if (!checkpoint) {
      WithColor::error(errs(), "cnnc")
          << toString(checkpoint.takeError()) << "\n";
      return 1;
    }
    if (failed(cnnc::frontend::bindCheckpoint(*emitted, *checkpoint,
                                              weightsFile, diagnostics)))
      return 1;
  } else if (randomWeights.getNumOccurrences()) {
    cnnc::frontend::bindRandomWeights(*emitted, randomWeights);
  }
  if (failed(mlir::verify(*emitted->module)))
    return 1;

  return emitOutput(*emitted->module) ? 0 : 1;
}

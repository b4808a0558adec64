//===- Emission.cpp - from the LLVM dialect to machine code ---------------===//

#include "cnnc/Target/CPU/Emission.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Target/CPU/CpuFeatures.h"
#include "cnnc/Target/CPU/TargetMachine.h"

#include "CnncRuntimeBitcode.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Target/LLVMIR/LLVMTranslationInterface.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Pass.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"

#include <fmt/format.h>

using namespace llvm;

namespace {

/// Links the thread-pool runtime (target/cpu/runtime, embedded as bitcode
/// per architecture) into `model` when it calls the runtime, with every
/// symbol from the runtime made internal: the library still exports only
/// its C API, and two models in one process keep separate copies.
Error linkRuntime(Module &model) {
  bool uses = llvm::any_of(model.functions(), [](const Function &function) {
    return function.isDeclaration() &&
           function.getName().starts_with("cnnc_rt_");
  });
  if (!uses)
    return Error::success();
  Triple triple(model.getTargetTriple());
  StringRef arch = Triple::getArchTypeName(triple.getArch());
  const CnncRuntimeBitcodeEntry *entry = nullptr;
  for (unsigned i = 0; i < cnncRuntimeBitcodeCount; ++i)
    if (arch == cnncRuntimeBitcodes[i].arch)
      entry = &cnncRuntimeBitcodes[i];
  if (!entry)
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("cnnc has no thread-pool runtime for '{}' targets (it "
                    "has one for x86_64 and aarch64)",
                    arch.str()));
  StringRef bytes(reinterpret_cast<const char *>(entry->data), entry->size);
  Expected<std::unique_ptr<Module>> runtime = parseBitcodeFile(
      MemoryBufferRef(bytes, "cnnc-runtime"), model.getContext());
  if (!runtime)
    return runtime.takeError();
  (*runtime)->setTargetTriple(model.getTargetTriple());
  (*runtime)->setDataLayout(model.getDataLayout());
  if (Linker::linkModules(
          model, std::move(*runtime), Linker::Flags::LinkOnlyNeeded,
          [](Module &linked, const StringSet<> &fromRuntime) {
            internalizeModule(linked, [&](const GlobalValue &value) {
              return !value.hasName() || !fromRuntime.count(value.getName());
            });
          }))
    return createStringError(inconvertibleErrorCode(),
                             "cannot link cnnc's thread-pool runtime");
  return Error::success();
}

/// The translation of the `cnnc` dialect's attributes: each hook's default,
/// which drops the attribute.
struct AnnotationsTranslation : mlir::LLVMTranslationDialectInterface {
  using LLVMTranslationDialectInterface::LLVMTranslationDialectInterface;
};

} // namespace

void cnnc::registerAnnotationsTranslation(mlir::DialectRegistry &registry) {
  registry.insert<CnncDialect>();
  registry.addExtension(+[](mlir::MLIRContext *, CnncDialect *dialect) {
    dialect->addInterfaces<AnnotationsTranslation>();
  });
}

Expected<cnnc::TargetVectors> cnnc::getTargetVectors(const TargetSpec &target) {
  Expected<std::unique_ptr<TargetMachine>> machine =
      cnnc::createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  const MCSubtargetInfo *info = (*machine)->getMCSubtargetInfo();
  Triple triple = (*machine)->getTargetTriple();
  TargetVectors vectors;
  if (triple.isAArch64()) {
    vectors = {4, 32};
  } else if (triple.isX86()) {
    if (info->checkFeatures("+avx512f"))
      vectors = {16, 32};
    else if (info->checkFeatures("+avx2,+fma"))
      vectors = {8, 16};
  }
  return vectors;
}

Expected<std::unique_ptr<Module>>
cnnc::translateToLLVMIR(mlir::ModuleOp module, LLVMContext &context,
                        const TargetSpec &target,
                        function_ref<Error(Module &)> extend, bool optimize) {
  mlir::registerBuiltinDialectTranslation(*module.getContext());
  mlir::registerLLVMDialectTranslation(*module.getContext());
  mlir::DialectRegistry annotations;
  registerAnnotationsTranslation(annotations);
  module.getContext()->appendDialectRegistry(annotations);
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "cannot translate the module to LLVM IR");
  Expected<std::unique_ptr<TargetMachine>> machine =
      cnnc::createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  llvmModule->setDataLayout((*machine)->createDataLayout());
  llvmModule->setTargetTriple((*machine)->getTargetTriple().str());
  storeConstantArraysAsBytes(*llvmModule);
  // What `extend` adds is the C API: its entry points check the CPU before
  // they run the model, in code for the baseline CPU (CpuFeatures.h).
  SmallPtrSet<Function *, 16> model;
  for (Function &function : *llvmModule)
    if (!function.isDeclaration())
      model.insert(&function);
  if (extend)
    if (Error error = extend(*llvmModule))
      return std::move(error);
  SmallVector<Function *> api;
  for (Function &function : *llvmModule)
    if (!function.isDeclaration() && !model.contains(&function))
      api.push_back(&function);
  if (Error error = addCpuFeatureCheck(*llvmModule, api,
                                       requiredCpuFeatureMask(**machine)))
    return std::move(error);
  if (Error error = linkRuntime(*llvmModule))
    return std::move(error);
  compileForBaselineCpu(*llvmModule, api);
  if (optimize)
    if (Error error = optimizeModule(*llvmModule, target))
      return std::move(error);
  return llvmModule;
}

// LLVM's default pipeline for the target's level, as MLIR's
// makeOptimizingTransformer builds it, except that that cannot turn off
// LLVM's loop unrolling: the kernels arrive unrolled to their register
// tiles already, and the unroller spent two fifths of DenseNet-121's
// optimization time (opt-19 -O3 -time-passes) analysing them for almost
// nothing (docs/performance.md, "Compile time").
Error cnnc::optimizeModule(Module &module, const TargetSpec &target) {
  Expected<std::unique_ptr<TargetMachine>> machine =
      cnnc::createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  PipelineTuningOptions tuning;
  tuning.LoopUnrolling = target.unrollLoops;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  PassBuilder builder(machine->get(), tuning);
  LoopAnalysisManager loops;
  FunctionAnalysisManager functions;
  CGSCCAnalysisManager sccs;
  ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  const OptimizationLevel levels[] = {
      OptimizationLevel::O0, OptimizationLevel::O1, OptimizationLevel::O2,
      OptimizationLevel::O3};
  OptimizationLevel level = levels[std::min(target.optLevel, 3u)];
  ModulePassManager pipeline =
      level == OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  pipeline.run(module, modules);
  instrumentForSanitizer(module, target.sanitizer);
  return Error::success();
}

namespace {
/// Counts the functions that code generation is done with: run after the
/// AsmPrinter in its function pass manager, it sees each in turn.
class CountFunctions : public FunctionPass {
public:
  static char ID;
  CountFunctions(cnnc::CodegenProgress progress, unsigned total)
      : FunctionPass(ID), progress(std::move(progress)), total(total) {}
  StringRef getPassName() const override { return "cnnc progress"; }
  void getAnalysisUsage(AnalysisUsage &usage) const override {
    usage.setPreservesAll();
  }
  bool runOnFunction(Function &function) override {
    if (!function.isDeclaration())
      progress(++done, total);
    return false;
  }

private:
  cnnc::CodegenProgress progress;
  unsigned total, done = 0;
};
char CountFunctions::ID = 0;
} // namespace

Error cnnc::emitMachineCode(Module &module, const TargetSpec &target,
                            CodeGenFileType kind, raw_pwrite_stream &os,
                            CodegenProgress progress) {
  Expected<std::unique_ptr<TargetMachine>> machine =
      cnnc::createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  legacy::PassManager passes;
  if ((*machine)->addPassesToEmitFile(passes, os, nullptr, kind))
    return createStringError(inconvertibleErrorCode(),
                             "the target cannot emit this kind of file");
  if (progress) {
    unsigned total = llvm::count_if(module, [](const Function &function) {
      return !function.isDeclaration();
    });
    progress(0, total);
    passes.add(new CountFunctions(std::move(progress), total));
  }
  passes.run(module);
  return Error::success();
}

Error cnnc::writeStaticArchive(Module &module, const TargetSpec &target,
                               StringRef member, raw_ostream &os,
                               CodegenProgress progress) {
  SmallVector<char, 0> object;
  raw_svector_ostream objectStream(object);
  if (Error error = emitMachineCode(module, target, CodeGenFileType::ObjectFile,
                                    objectStream, std::move(progress)))
    return error;
  NewArchiveMember entry(
      MemoryBufferRef(StringRef(object.data(), object.size()), member));
  // Deterministic: no timestamps, owners or modes, as `ar D`.
  Expected<std::unique_ptr<MemoryBuffer>> archive = writeArchiveToBuffer(
      entry, SymtabWritingMode::NormalSymtab, object::Archive::K_GNU,
      /*Deterministic=*/true, /*Thin=*/false);
  if (!archive)
    return archive.takeError();
  os << (*archive)->getBuffer();
  return Error::success();
}

/// Where Debian keeps the libc to link a library for `triple` against: the
/// multiarch folders for the host's architecture, the cross libc's
/// (libc6-dev-arm64-cross: /usr/aarch64-linux-gnu/lib) for another.
SmallVector<std::string> libcDirectories(const Triple &triple) {
  std::string multiarch =
      fmt::format("{}-linux-gnu", Triple::getArchTypeName(triple.getArch()));
  if (triple.getArch() == Triple(sys::getProcessTriple()).getArch())
    return {"/usr/lib/" + multiarch, "/lib/" + multiarch};
  return {fmt::format("/usr/{}/lib", multiarch)};
}

Error cnnc::linkSharedLibrary(ArrayRef<std::string> objects, StringRef output,
                              const Triple &triple) {
  if (!triple.isOSLinux() || !triple.isOSBinFormatELF())
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("cnnc links shared libraries for Linux (ELF) only, not "
                    "for '{}': use --emit=obj",
                    triple.str()));
  SmallVector<std::string> directories = libcDirectories(triple);
  if (!llvm::any_of(directories, [](const std::string &directory) {
        return sys::fs::exists(directory + "/libc.so");
      }))
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("cannot link a shared library for '{}': no libc.so in "
                    "{} (for aarch64 on Debian: apt-get install "
                    "libc6-dev-arm64-cross), or use --emit=obj",
                    triple.str(), fmt::join(directories, " or ")));
  ErrorOr<std::string> lld = sys::findProgramByName("ld.lld-19");
  if (!lld)
    lld = sys::findProgramByName("ld.lld");
  if (!lld)
    return createStringError(inconvertibleErrorCode(),
                             "cannot find ld.lld-19 or ld.lld to link the "
                             "shared library (install lld-19)");
  SmallVector<std::string> arguments = {*lld, "-shared", "--as-needed", "-o",
                                        output.str()};
  llvm::append_range(arguments, objects);
  for (const std::string &directory : directories)
    arguments.push_back("-L" + directory);
  arguments.append({"-lm", "-lc"});
  SmallVector<StringRef> argv(arguments.begin(), arguments.end());
  std::string message;
  int status =
      sys::ExecuteAndWait(*lld, argv, std::nullopt, {}, 0, 0, &message);
  if (status != 0)
    return createStringError(inconvertibleErrorCode(),
                             fmt::format("linking '{}' failed{}{}", output,
                                         message.empty() ? "" : ": ", message));
  return Error::success();
}

Error cnnc::writeSharedLibrary(Module &module, const TargetSpec &target,
                               StringRef output, CodegenProgress progress,
                               unsigned threads, bool exact, bool optimize) {
  // A sanitizer's instrumentation registers globals through private
  // aliases and comdats that must stay in one object.
  unsigned partitions = target.sanitizer == Sanitizer::None
                            ? codegenPartitions(module, threads, exact)
                            : 1;
  SmallVector<std::string> objects;
  std::vector<std::unique_ptr<FileRemover>> removers;
  for (unsigned i = 0; i < partitions; ++i) {
    SmallString<128> object;
    if (std::error_code error =
            sys::fs::createTemporaryFile("cnnc", "o", object))
      return createStringError(inconvertibleErrorCode(),
                               "cannot create a temporary file: " +
                                   error.message());
    objects.push_back(std::string(object));
    removers.push_back(std::make_unique<FileRemover>(object));
  }
  if (Error error = emitObjectFiles(module, target, objects,
                                    std::move(progress), optimize))
    return error;
  return linkSharedLibrary(objects, output, Triple(module.getTargetTriple()));
}

//===- link_runtime.cpp - link the runtime into a model, as cnnc will -----===//
//
// What cnnc's emission must do, in one place: take the runtime bitcode for
// the model's architecture from CnncRuntimeBitcode.h, link the parts the model
// uses into the model's module and make every runtime symbol internal, then
// emit an object file. Usage: cnnc-runtime-link MODEL.bc OUT.o
//
//===----------------------------------------------------------------------===//

#include "CnncRuntimeBitcode.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"

using namespace llvm;

/// Links the runtime into `model`: the step cnnc's emission adds before it
/// optimizes the module (translateToLLVMIR's `extend` hook).
static Error linkRuntime(Module &model) {
  Triple triple(model.getTargetTriple());
  StringRef arch = Triple::getArchTypeName(triple.getArch());
  const CnncRuntimeBitcodeEntry *entry = nullptr;
  for (unsigned i = 0; i < cnncRuntimeBitcodeCount; ++i)
    if (arch == cnncRuntimeBitcodes[i].arch)
      entry = &cnncRuntimeBitcodes[i];
  if (!entry)
    return createStringError(inconvertibleErrorCode(),
                             "no cnnc runtime for architecture " + arch);
  StringRef bytes(reinterpret_cast<const char *>(entry->data), entry->size);
  Expected<std::unique_ptr<Module>> runtime = parseBitcodeFile(
      MemoryBufferRef(bytes, "cnnc-runtime"), model.getContext());
  if (!runtime)
    return runtime.takeError();
  // The same architecture; the model's exact triple and layout, so that the
  // linker neither warns nor mixes them.
  (*runtime)->setTargetTriple(model.getTargetTriple());
  (*runtime)->setDataLayout(model.getDataLayout());
  // LinkOnlyNeeded: only what the model calls (and what that calls). Then
  // internalize every symbol that came from the runtime: two models in one
  // process each keep their own pool code, and nothing new is exported.
  bool failed = Linker::linkModules(
      model, std::move(*runtime), Linker::Flags::LinkOnlyNeeded,
      [](Module &linked, const StringSet<> &fromRuntime) {
        internalizeModule(linked, [&](const GlobalValue &value) {
          return !value.hasName() || !fromRuntime.count(value.getName());
        });
      });
  if (failed)
    return createStringError(inconvertibleErrorCode(),
                             "cannot link the cnnc runtime");
  return Error::success();
}

int main(int argc, char **argv) {
  if (argc != 3) {
    errs() << "usage: " << argv[0] << " MODEL.bc OUT.o\n";
    return 2;
  }
  InitializeAllTargetInfos();
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  LLVMContext context;
  SMDiagnostic diagnostic;
  std::unique_ptr<Module> model = parseIRFile(argv[1], diagnostic, context);
  if (!model) {
    diagnostic.print(argv[0], errs());
    return 1;
  }
  if (Error error = linkRuntime(*model)) {
    errs() << toString(std::move(error)) << "\n";
    return 1;
  }
  if (verifyModule(*model, &errs()))
    return 1;
  for (const Function &function : *model)
    if (!function.isDeclaration() &&
        function.getName().starts_with("cnnc_rt_") &&
        !function.hasLocalLinkage()) {
      errs() << function.getName() << " was not internalized\n";
      return 1;
    }

  std::string message;
  const Target *target =
      TargetRegistry::lookupTarget(model->getTargetTriple(), message);
  if (!target) {
    errs() << message << "\n";
    return 1;
  }
  // UseInitArray, as clang sets it: llvm.global_dtors (the destructor that
  // retires the default pool) must land in .fini_array. TargetOptions'
  // default puts it in .dtors, which only crtbegin.o runs, and cnnc links
  // without it: the destructor would silently never run.
  TargetOptions options;
  options.UseInitArray = true;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      model->getTargetTriple(), "generic", "", options, Reloc::PIC_,
      std::nullopt, CodeGenOptLevel::Default));
  std::error_code code;
  raw_fd_ostream out(argv[2], code, sys::fs::OF_None);
  if (code) {
    errs() << argv[2] << ": " << code.message() << "\n";
    return 1;
  }
  legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, out, nullptr,
                                   CodeGenFileType::ObjectFile)) {
    errs() << "cannot emit an object file\n";
    return 1;
  }
  passes.run(*model);
  return 0;
}

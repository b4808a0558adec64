//===- Sanitizers.cpp - sanitizer instrumentation of generated code -------===//
//
// To test what cnnc generates, not what it is built from: the generated
// library's loads, stores and atomics checked by AddressSanitizer or
// ThreadSanitizer (a library whose kernels and thread pool race, or read
// past a buffer, is then caught in a harness built with -fsanitize). The
// passes are LLVM's, run after optimization like clang's -fsanitize.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/Emission.h"

#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Instrumentation/ThreadSanitizer.h"

using namespace llvm;

void cnnc::instrumentForSanitizer(Module &module, Sanitizer sanitizer) {
  if (sanitizer == Sanitizer::None)
    return;
  Attribute::AttrKind attribute = sanitizer == Sanitizer::Address
                                      ? Attribute::SanitizeAddress
                                      : Attribute::SanitizeThread;
  for (Function &function : module)
    if (!function.isDeclaration())
      function.addFnAttr(attribute);

  LoopAnalysisManager loops;
  FunctionAnalysisManager functions;
  CGSCCAnalysisManager sccs;
  ModuleAnalysisManager modules;
  PassBuilder builder;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  ModulePassManager passes;
  if (sanitizer == Sanitizer::Address) {
    passes.addPass(AddressSanitizerPass(AddressSanitizerOptions()));
  } else {
    passes.addPass(ModuleThreadSanitizerPass());
    passes.addPass(createModuleToFunctionPassAdaptor(ThreadSanitizerPass()));
  }
  passes.run(module, modules);
}

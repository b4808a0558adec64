//===- FuzzFrontend.cpp - libFuzzer target: the .cnn frontend -------------===//
//
// Runs the whole frontend on an input taken as a .cnn model: parse, evaluate
// and emit into the cnn dialect, then verify the module. Every diagnostic is
// swallowed: only a crash, a sanitizer report or a timeout is a finding.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Frontend/Diagnostics.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Parser.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.cnn"),
      llvm::SMLoc());
  sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  // A context per input: nothing one input uniques (names, types) piles up
  // over millions of runs.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler silence(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  cnnc::frontend::Diagnostics diagnostics(sourceMgr);
  std::optional<cnnc::frontend::Module> module =
      cnnc::frontend::parseModule(diagnostics);
  if (!module)
    return 0;
  std::optional<cnnc::frontend::EmittedModel> emitted =
      cnnc::frontend::emitModel(*module, context, diagnostics);
  if (!emitted)
    return 0;
  (void)mlir::verify(*emitted->module);
  return 0;
}

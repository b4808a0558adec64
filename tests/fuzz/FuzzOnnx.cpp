//===- FuzzOnnx.cpp - libFuzzer target: the ONNX importer -----------------===//
//
// Imports an input taken as the bytes of an .onnx file, as cnnc and
// cnnc-import do (protobuf, ONNX's checker and shape inference, then the
// importer's conversion into the cnn dialect), and verifies the module.
// Every error message is swallowed: only a crash, a sanitizer report or a
// timeout is a finding.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Importers/ONNX.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context per input: nothing one input uniques piles up over runs.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler silence(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  cnnc::OnnxImportOptions options;
  options.errors = &llvm::nulls();
  mlir::OwningOpRef<mlir::ModuleOp> module = cnnc::importOnnxModelFromBuffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      context, options);
  if (module)
    (void)mlir::verify(*module);
  return 0;
}

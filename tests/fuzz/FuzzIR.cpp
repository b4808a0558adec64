//===- FuzzIR.cpp - libFuzzer target: cnnc-opt's parser and verifier ------===//
//
// Parses an input as MLIR with the dialects of cnn-level IR registered (cnn,
// cnnc, and the upstream ones it is written with) and verifies it: what
// cnnc-opt does before any pass, its scan for text that upstream parsers
// crash on (ParserHazards.h) included. The cnn dialect's custom syntax, type
// inference and verifiers are the code under test; upstream MLIR is not
// instrumented, so its coverage does not guide the fuzzer.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Support/ParserHazards.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>

namespace {
const mlir::DialectRegistry &dialects() {
  static const mlir::DialectRegistry registry = [] {
    mlir::DialectRegistry result;
    result.insert<cnnc::cnn::CNNDialect, cnnc::CnncDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::memref::MemRefDialect,
                  mlir::tensor::TensorDialect>();
    return result;
  }();
  return registry;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // What cnnc-opt refuses before parsing (upstream parsers crash on it).
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (cnnc::findParserHazard(text))
    return 0;
  // A context per input: nothing one input uniques piles up.
  mlir::MLIRContext context(dialects(), mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler silence(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // As cnnc-opt reads a file: a copy, with the null terminator MLIR's lexer
  // relies on (parseSourceString would hand it the fuzzer's bytes as they
  // are, and the lexer reads one past them).
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.mlir"), llvm::SMLoc());
  mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
  if (module)
    (void)mlir::verify(*module);
  return 0;
}

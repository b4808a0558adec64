//===- ONNX.h - importing ONNX models into the cnn dialect ------*- C++ -*-===//
//
// Reads an .onnx file with the ONNX library (parser, checker, shape
// inference) and emits one func.func of cnn ops on tensors, the model's
// initializers bound as the values of cnn.weight ops. docs/onnx.md lists
// the operators and how each maps to cnn ops.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_ONNX_H
#define CNNC_IMPORTERS_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cnnc {

struct OnnxImportOptions {
  /// Static shapes for inputs whose shapes the file leaves open
  /// (--input-shape NAME=1,3,224,224).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// The model function's name (the C API's prefix); the file's stem when
  /// empty.
  std::string modelName;
  /// The tool that reports errors (`cnnc`, `cnnc-import`).
  std::string tool = "cnnc";
  /// Where errors go (nullptr: stderr).
  llvm::raw_ostream *errors = nullptr;
};

/// Parses one --input-shape value, `NAME=1,3,224,224`, into `options`;
/// returns an empty string or what is wrong with it.
std::string parseInputShape(llvm::StringRef spec, OnnxImportOptions &options);

/// Imports the model at `path`. Every error is printed to stderr as
/// `TOOL: error: FILE: node 'NAME' (OP): message` and gives a null module.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(llvm::StringRef path, mlir::MLIRContext &context,
                const OnnxImportOptions &options);

/// The same from the bytes of an .onnx file in memory (for tests and
/// fuzzing); `name` stands for the file in messages. A tensor whose data is
/// in an external file is an error: there is no directory to read it from.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelFromBuffer(llvm::StringRef bytes, llvm::StringRef name,
                          mlir::MLIRContext &context,
                          const OnnxImportOptions &options);

} // namespace cnnc

#endif // CNNC_IMPORTERS_ONNX_H

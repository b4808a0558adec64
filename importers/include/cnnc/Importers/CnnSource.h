//===- CnnSource.h - cnn IR back to the .cnn language -----------*- C++ -*-===//
//
// Writes a model function of cnn ops as a .cnn source that the frontend
// compiles back to the same ops, and its bound parameters as a safetensors
// checkpoint under the names the source gives them: what cnnc-import makes
// of an ONNX model, so that a person can read and change it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_CNNSOURCE_H
#define CNNC_IMPORTERS_CNNSOURCE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Writes the module's model function as .cnn text, after the comment lines
/// of `header`. Layers with parameters are named (`as "NAME"`) after their
/// cnn.weight ops (`NAME.weight`, ...). Fails, naming the op, for an op the
/// language cannot express (sub, div, transpose, a parameter read as data).
llvm::Error writeCnnSource(mlir::ModuleOp module, llvm::raw_ostream &os,
                           llvm::StringRef header);

/// Writes every cnn.weight that has a value to a safetensors file (F32,
/// keys sorted, as tools/export_weights.py writes them).
llvm::Error writeSafetensors(mlir::ModuleOp module, llvm::StringRef path);

} // namespace cnnc

#endif // CNNC_IMPORTERS_CNNSOURCE_H

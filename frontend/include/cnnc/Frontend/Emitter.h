//===- Emitter.h - from a parsed model to cnn dialect IR --------*- C++ -*-===//

#ifndef CNNC_FRONTEND_EMITTER_H
#define CNNC_FRONTEND_EMITTER_H

#include "cnnc/Frontend/AST.h"
#include "cnnc/Frontend/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>
#include <vector>

namespace cnnc::frontend {

/// A parameter the model declares, with where it was declared.
struct ParameterInfo {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  llvm::SMLoc loc;
  /// Present in checkpoints but not in the IR (batch norm's
  /// num_batches_tracked): bound for completeness, then dropped.
  bool checkpointOnly = false;
};

struct EmittedModel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<ParameterInfo> parameters;
};

/// Evaluates the model (blocks, loops, conditions and integer arithmetic run
/// at compile time) and emits one func.func of cnn ops on tensors, with file
/// locations. Reports errors through `diagnostics` (language errors) and the
/// context's diagnostic handler (the ops' shape rules), both at model lines.
std::optional<EmittedModel> emitModel(const Module &module,
                                      mlir::MLIRContext &context,
                                      Diagnostics &diagnostics);

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_EMITTER_H

//===- Progress.cpp - stage progress of a long compile --------------------===//

#include "cnnc/Compiler/Progress.h"
#include "cnnc/Compiler/CompileOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

#include <string>

using namespace cnnc;

llvm::SmallVector<llvm::StringRef> cnnc::progressStages(EmitKind emit) {
  switch (emit) {
  case EmitKind::CNN:
  case EmitKind::Header:
    return {};
  case EmitKind::Linalg:
  case EmitKind::Loops:
  case EmitKind::LLVMDialect:
  case EmitKind::Dot:
  case EmitKind::SVG:
    return {"MLIR passes"};
  case EmitKind::LLVMIR:
    return {"MLIR passes", "LLVM IR and its optimization"};
  case EmitKind::Asm:
  case EmitKind::Obj:
  case EmitKind::Archive:
    return {"MLIR passes", "LLVM IR and its optimization", "code generation"};
  case EmitKind::SharedLib:
    return {"MLIR passes", "LLVM IR and its optimization",
            "code generation and linking"};
  }
  llvm_unreachable("every EmitKind is handled");
}

namespace {
/// Counts the passes that run on the module itself. Nested pass managers
/// run on functions, several threads at a time: they are not counted, so
/// that the callback is never called from two threads at once.
class ProgressInstrumentation : public mlir::PassInstrumentation {
public:
  ProgressInstrumentation(ProgressCallback progress, ProgressEvent event)
      : progress(std::move(progress)), event(event) {}

  void runBeforePass(mlir::Pass *pass, mlir::Operation *op) override {
    if (op->getParentOp() || !llvm::isa<mlir::ModuleOp>(op))
      return;
    // A pipeline of function passes has no argument of its own.
    detail = pass->getArgument().empty() ? pass->getName().str()
                                         : pass->getArgument().str();
    event.detail = detail;
    progress(event);
  }
  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override {
    if (!op->getParentOp() && llvm::isa<mlir::ModuleOp>(op))
      ++event.done;
  }
  void runAfterPassFailed(mlir::Pass *pass, mlir::Operation *op) override {
    runAfterPass(pass, op);
  }

private:
  ProgressCallback progress;
  ProgressEvent event;
  std::string detail;
};
} // namespace

void cnnc::addProgressInstrumentation(mlir::PassManager &pm,
                                      const ProgressCallback &progress,
                                      unsigned stage, unsigned stages,
                                      llvm::StringRef name) {
  ProgressEvent event;
  event.stage = stage;
  event.stages = stages;
  event.name = name;
  event.total = pm.size();
  pm.addInstrumentation(
      std::make_unique<ProgressInstrumentation>(progress, event));
}

void ProgressPrinter::operator()(const ProgressEvent &event) {
  // "\x1b[K" clears the rest of the line that a longer step left.
  os << "\r";
  if (event.stage != 0) {
    os << "cnnc: [" << event.stage << "/" << event.stages << "] " << event.name;
    if (event.total)
      os << ": " << event.done << "/" << event.total;
    if (!event.detail.empty())
      os << " " << event.detail;
  }
  os << "\x1b[K";
  os.flush();
}

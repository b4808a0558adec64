//===- IRDumps.cpp - the IR that --mlir-print-ir-* dumps ------------------===//

#include "cnnc/Compiler/IRDumps.h"

#include "llvm/Support/CommandLine.h"

#include <string>

mlir::LogicalResult
cnnc::applyPassManagerCLOptionsEliding(mlir::PassManager &pm) {
  // MLIR's IR printing takes its OpPrintingFlags when it is enabled, from
  // the printing options given on the command line. The limit is given for
  // that moment only, so that what cnnc emits later keeps every weight.
  llvm::cl::Option *elide = llvm::cl::getRegisteredOptions().lookup(
      "mlir-elide-resource-strings-if-larger");
  bool defaulted = elide && elide->getNumOccurrences() == 0;
  if (defaulted)
    elide->addOccurrence(0, elide->ArgStr, std::to_string(kDumpResourceLimit));
  mlir::LogicalResult result = mlir::applyPassManagerCLOptions(pm);
  if (defaulted)
    elide->reset();
  return result;
}

//===- cnnc-opt.cpp - the cnnc optimizer driver ---------------------------===//
//
// mlir-opt with the cnn dialect and cnnc's passes: runs any pass or pipeline
// alone, prints the IR after each pass (--mlir-print-ir-after-all), and loads
// out-of-tree passes and dialects (--load-pass-plugin, --load-dialect-plugin).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cnnc::cnn::CNNDialect, cnnc::CnncDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);

  mlir::registerAllPasses();
  cnnc::registerCompilerPasses();
  cnnc::registerCompilerPipelines();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "cnnc optimizer driver: the cnn dialect and its passes\n",
      registry));
}

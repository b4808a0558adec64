//===- cnnc-opt.cpp - the cnnc optimizer driver ---------------------------===//
//
// mlir-opt with the cnn dialect and cnnc's passes: runs any pass or pipeline
// alone, prints the IR after each pass (--mlir-print-ir-after-all), and loads
// out-of-tree passes and dialects (--load-pass-plugin, --load-dialect-plugin).
// The input is read and the output written by cnnc's own helpers, so that
// /dev/zero is refused rather than read forever and a failed write names the
// file rather than aborting; the input is scanned for constructs upstream
// MLIR 19's parsers crash on (ParserHazards.h) before it is parsed.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Compiler/IRDumps.h"
#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Support/InputFile.h"
#include "cnnc/Support/OutputFile.h"
#include "cnnc/Support/ParserHazards.h"
#include "cnnc/Transforms/StaticSubsets.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

namespace {

/// IR read from a stream (a pipe, standard input) may have this many bytes;
/// a regular file is read up to its size.
constexpr uint64_t kIRStreamBytes = uint64_t(1) << 30;

/// Reads the flags MlirOptMainConfig keeps to itself.
struct ConfigFlags : mlir::MlirOptMainConfig {
  explicit ConfigFlags(const mlir::MlirOptMainConfig &config) {
    static_cast<mlir::MlirOptMainConfig &>(*this) = config;
  }
  bool showsDialects() const { return showDialectsFlag; }
};

int fail(llvm::Error error) {
  llvm::WithColor::error(llvm::errs(), "cnnc-opt")
      << llvm::toString(std::move(error)) << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::DialectRegistry registry;
  registry.insert<cnnc::cnn::CNNDialect, cnnc::CnncDialect>();
  // Before registerAllDialects: the first subset model attached is used.
  cnnc::registerStaticSubsetModels(registry);
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);

  mlir::registerAllPasses();
  cnnc::registerCompilerPasses();
  cnnc::registerCompilerPipelines();

  auto [inputPath, outputPath] = mlir::registerAndParseCLIOptions(
      argc, argv, "cnnc optimizer driver: the cnn dialect and its passes\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (ConfigFlags(config).showsDialects()) {
    llvm::outs() << "Available Dialects: ";
    llvm::interleaveComma(registry.getDialectNames(), llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }

  // IR dumps elide weights, as cnnc's (IRDumps.h): MlirOptMain enables the
  // dumps with the command line's printing flags just before it sets up
  // the pipeline, and prints its output with them after the run, which keeps
  // every weight. (With --split-input-file, the dumps of the first part
  // only: nothing runs between one part's output and the next one's dumps.)
  if (cnnc::setDumpResourceLimit()) {
    mlir::MlirOptMainConfig original = config;
    config.setPassPipelineSetupFn([original](mlir::PassManager &pm) {
      cnnc::resetDumpResourceLimit();
      return original.setupPassPipeline(pm);
    });
  }

  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> input =
      cnnc::readInputFile(inputPath, kIRStreamBytes);
  if (!input)
    return fail(input.takeError());
  // Before MLIR's parser sees it: text that upstream parsers crash on.
  if (!cnnc::checkParserHazards(**input, config.inputSplitMarker()))
    return 1;
  // A failed run has printed its diagnostics; its output file is removed.
  bool ran = true;
  llvm::Error written = cnnc::writeOutputFile(
      outputPath, [&](llvm::raw_pwrite_stream &os) -> llvm::Error {
        ran = mlir::succeeded(
            mlir::MlirOptMain(os, std::move(*input), registry, config));
        if (ran)
          return llvm::Error::success();
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "the run failed");
      });
  if (!ran) {
    llvm::consumeError(std::move(written));
    return 1;
  }
  return written ? fail(std::move(written)) : 0;
}

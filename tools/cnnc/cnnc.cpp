//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// Reads a model written in the .cnn language and prints its cnn dialect IR.
// Later stages (lowering, code generation) extend --emit.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Parser.h"
#include "cnnc/Frontend/Weights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class EmitKind { CNN };

cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.cnn>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<EmitKind>
    emit("emit", cl::desc("What to produce"), cl::init(EmitKind::CNN),
         cl::values(clEnumValN(EmitKind::CNN, "cnn",
                               "the model in the cnn dialect (tensors, NCHW)")),
         cl::cat(category));
cl::opt<std::string> weightsFile(
    "weights",
    cl::desc("Bind parameters by name to the tensors of a safetensors "
             "checkpoint (torchvision state_dict names)"),
    cl::value_desc("file.safetensors"), cl::cat(category));
cl::opt<uint64_t> randomWeights(
    "random-weights",
    cl::desc("Give every parameter deterministic pseudo-random values drawn "
             "from this seed (for benchmarks and tests)"),
    cl::value_desc("seed"), cl::cat(category));
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // Show cnnc's own options and the few MLIR printing options that matter for
  // its output, not the hundreds that libLLVM and libMLIR register.
  static cl::OptionCategory printing("IR printing options");
  cl::HideUnrelatedOptions({&category, &printing});
  for (const char *name :
       {"mlir-print-debuginfo", "mlir-pretty-debuginfo",
        "mlir-print-op-generic", "mlir-elide-elementsattrs-if-larger",
        "mlir-print-local-scope"}) {
    auto it = cl::getRegisteredOptions().find(name);
    if (it != cl::getRegisteredOptions().end()) {
      it->second->setHiddenFlag(cl::NotHidden);
      it->second->addCategory(printing);
    }
  }
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "cnnc: compile a convolutional network "
                                   "written in the .cnn language\n\n"
                                   "  cnnc model.cnn --emit=cnn                "
                                   "print the cnn dialect IR\n"
                                   "  cnnc model.cnn --mlir-print-debuginfo    "
                                   "... with model locations\n"
                                   "  cnnc model.cnn --random-weights=7        "
                                   "... with parameter values\n"
                                   "  cnnc model.cnn --weights=w.safetensors   "
                                   "... with a checkpoint's\n",
                                   &errs()))
    return 1;
  if (!weightsFile.empty() && randomWeights.getNumOccurrences()) {
    WithColor::error(errs(), "cnnc")
        << "--weights and --random-weights exclude each other\n";
    return 1;
  }

  SourceMgr sourceMgr;
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    WithColor::error(errs(), "cnnc")
        << "cannot read '" << inputFile << "': " << error.message() << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());

  mlir::MLIRContext context;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  cnnc::frontend::Diagnostics diagnostics(sourceMgr);

  std::optional<cnnc::frontend::Module> module =
      cnnc::frontend::parseModule(diagnostics);
  if (!module)
    return 1;
  std::optional<cnnc::frontend::EmittedModel> emitted =
      cnnc::frontend::emitModel(*module, context, diagnostics);
  if (!emitted)
    return 1;
  if (!weightsFile.empty()) {
    Expected<cnnc::SafetensorsFile> checkpoint =
        cnnc::SafetensorsFile::open(weightsFile);
    if (!checkpoint) {
      WithColor::error(errs(), "cnnc")
          << toString(checkpoint.takeError()) << "\n";
      return 1;
    }
    if (failed(cnnc::frontend::bindCheckpoint(*emitted, *checkpoint,
                                              weightsFile, diagnostics)))
      return 1;
  } else if (randomWeights.getNumOccurrences()) {
    cnnc::frontend::bindRandomWeights(*emitted, randomWeights);
  }
  if (failed(mlir::verify(*emitted->module)))
    return 1;

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputFile, &errorMessage);
  if (!output) {
    WithColor::error(errs(), "cnnc") << errorMessage << "\n";
    return 1;
  }
  emitted->module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}

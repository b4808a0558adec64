//===- cnnc.cpp - the cnnc compiler driver --------------------------------===//
//
// Reads a model written in the .cnn language and binds its weights, or
// imports an .onnx model (by the file's extension), and hands it to
// cnnc::compile with the CompileOptions its flags ask for: the cnn dialect
// IR, any stage of the lowering, or a shared library and its C header.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Compiler/Compiler.h"
#include "cnnc/Compiler/IRDumps.h"
#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Limits.h"
#include "cnnc/Frontend/Parser.h"
#include "cnnc/Frontend/Weights.h"
#include "cnnc/Importers/CnnSource.h"
#include "cnnc/Importers/ONNX.h"
#include "cnnc/Support/InputFile.h"
#include "cnnc/Target/CPU/CNames.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/Timing.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <fmt/format.h>

using namespace llvm;

using cnnc::EmitKind;

namespace {
cl::OptionCategory category("cnnc options");

cl::opt<std::string> inputFile(cl::Positional,
                               cl::desc("<model.cnn | model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
/// --emit=cnn-source (or -o model.cnn): the model as .cnn text, which
/// compile() does not make; a value of its own outside EmitKind's.
constexpr EmitKind kCnnSource = static_cast<EmitKind>(-1);
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("An ONNX input's static shape, where the file leaves it open"),
    cl::value_desc("NAME=1,3,224,224"), cl::cat(category));
cl::opt<EmitKind> emit(
    "emit",
    cl::desc("What to produce (default: from the -o file's extension: .so, "
             ".o, .a, .h, .ll, .s, .dot, .svg; else cnn)"),
    cl::init(EmitKind::CNN), cnnc::emitKindValues(), cl::cat(category));
// --stats: registered in main, in place of LLVM's own -stats.
bool showStats = false;
cl::opt<std::string> modelName(
    "name",
    cl::desc("Name the model in the library: the prefix of its exported "
             "symbols (NAME_run, NAME_model, ...; docs/c-api.md) and the "
             "name its description gives (default: the model's own)"),
    cl::value_desc("NAME"), cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level, 0 to 3"),
                           cl::init(3), cl::Prefix, cl::cat(category));
cl::opt<std::string>
    targetTriple("mtriple",
                 cl::desc("Target triple (default: the host's); cnnc makes "
                          "libraries for x86-64 and 64-bit Arm Linux"),
                 cl::value_desc("triple"), cl::cat(category));
cl::opt<std::string> targetCpu(
    "mcpu",
    cl::desc("Target CPU (default: host, this machine's, for the host's "
             "architecture; generic for another); `llc-19 -mtriple=TRIPLE "
             "-mcpu=help` lists a target's CPUs"),
    cl::value_desc("cpu"), cl::cat(category));
cl::opt<std::string> targetFeatures(
    "mattr",
    cl::desc("Target features to add (+name) or remove (-name), e.g. "
             "+avx2,-avx512f; `llc-19 -mtriple=TRIPLE -mattr=help` lists "
             "them"),
    cl::value_desc("+a,-b"), cl::cat(category));
cl::opt<cnnc::Sanitizer> sanitize(
    "sanitize",
    cl::desc("Instrument the library for a sanitizer, to test the generated "
             "code; the program that loads it must be built with "
             "-fsanitize=address or thread"),
    cl::init(cnnc::Sanitizer::None), cnnc::sanitizerValues(),
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
cl::opt<bool> noFusion(
    "no-fusion",
    cl::desc("Compile without the fusion passes (each layer its own loop "
             "nest), to compare with the default"),
    cl::cat(category));
cl::opt<bool>
    noWinograd("no-winograd",
               cl::desc("Run every 3x3 convolution directly, without Winograd "
                        "(cnn-use-winograd), to compare with the default"),
               cl::cat(category));
// Hidden: to measure what LLVM's unrolling would change.
cl::opt<bool> llvmUnrollLoops(
    "llvm-unroll-loops",
    cl::desc("Run LLVM's loop unrolling passes too (off by default: the "
             "kernels arrive unrolled to their register tiles, and LLVM's "
             "unrolling costs compile time for almost no change in the "
             "code)"),
    cl::Hidden, cl::cat(category));
// Hidden: for debugging a pass that leaves invalid IR.
cl::opt<bool> verifyEach(
    "verify-each",
    cl::desc("Verify the IR after every pass of the pipeline (by default "
             "only once, after the last)"),
    cl::Hidden, cl::cat(category));
cl::opt<int64_t> winogradTile(
    "winograd-tile",
    cl::desc("Winograd output tile: 0 (default) lets the cost rule choose "
             "per convolution, 2 or 4 forces F(2x2, 3x3) or F(4x4, 3x3) on "
             "every stride-1 3x3 convolution with one group"),
    cl::init(0), cl::cat(category));
cl::opt<int64_t> winogradMaxTile(
    "winograd-max-tile",
    cl::desc("Largest Winograd output tile the cost rule may choose: 4 "
             "(default) lets it take F(4x4, 3x3) where that is fastest, 2 "
             "keeps to F(2x2, 3x3), whose rounding error is smaller"),
    cl::init(4), cl::cat(category));
enum class FusionReportRequest { None, Text, JSON };
cl::opt<FusionReportRequest> fusionReport(
    "fusion-report",
    cl::desc("Print each fused chain (kind, ops, layers, source positions) "
             "and the traffic it removes, each candidate chain left unfused "
             "and why, and the scratch memory with and without fusion (to "
             "stderr, or --fusion-report-file)"),
    cl::ValueOptional, cl::init(FusionReportRequest::None),
    cl::values(clEnumValN(FusionReportRequest::Text, "", "as text"),
               clEnumValN(FusionReportRequest::Text, "text", "as text"),
               clEnumValN(FusionReportRequest::JSON, "json",
                          "as JSON (docs/fusion-report.md)")),
    cl::cat(category));
cl::opt<std::string> fusionReportFile(
    "fusion-report-file",
    cl::desc("Write the --fusion-report to this file instead of stderr"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<int64_t> fusionTileBytes(
    "fusion-tile-bytes",
    cl::desc("Tile budget in bytes of the tiled fusions (bottleneck, "
             "depthwise-pointwise) instead of their defaults"),
    cl::value_desc("bytes"), cl::init(0), cl::cat(category));
cl::opt<int64_t> channelBlock(
    "block",
    cl::desc("Channels per block of the channel-blocked layout of feature "
             "maps (default: the target's f32 vector width: 16 with "
             "AVX-512, 8 with AVX2, 4 with NEON); 0 keeps NCHW"),
    cl::value_desc("lanes"), cl::init(cnnc::CompileOptions::kBlockFromTarget),
    cl::cat(category));
cl::opt<bool> blockLoneConvolutions(
    "block-lone-convolutions",
    cl::desc("Give the blocked layout also to a region whose convolutions "
             "all have fast NCHW kernels (1x1 stride 1, depthwise of a model "
             "input; by default it stays NCHW, saving the reorders), to "
             "compare"),
    cl::cat(category));
cl::opt<int64_t> batchSize(
    "batch",
    cl::desc("Compile for this batch size: the first dimension of every "
             "input, whatever the model declares (default: the model's)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
cl::opt<int64_t> minParallelWork(
    "min-parallel-work",
    cl::desc("Least estimated work (ops) of a loop that runs on several "
             "threads (1: every parallel loop, for tests)"),
    cl::value_desc("ops"), cl::init(cnnc::kDefaultMinParallelWork), cl::Hidden,
    cl::cat(category));
cl::opt<unsigned> codegenThreads(
    "codegen-threads",
    cl::desc("Threads that generate a shared library's machine code, one "
             "object file each (default 0: up to one per CPU, fewer for a "
             "small model; 1 with --mlir-disable-threading)"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
cl::list<std::string> passPlugins(
    "load-pass-plugin",
    cl::desc("Load passes from a plugin library (for --fusion-passes)"),
    cl::value_desc("library.so"), cl::cat(category));
cl::opt<std::string> fusionPasses(
    "fusion-passes",
    cl::desc("More fusion passes to run before cnnc's own, as a textual "
             "pass pipeline (a plugin's pass, or an in-tree one with "
             "options)"),
    cl::value_desc("pipeline"), cl::cat(category));
cl::opt<bool> quiet(
    "quiet",
    cl::desc("Print no stage progress (which cnnc prints to stderr when it "
             "is a terminal)"),
    cl::cat(category));
enum class ProgressRequest { Auto, Always, Never };
// Hidden: for tests, whose stderr is no terminal.
cl::opt<ProgressRequest> progressRequest(
    "progress", cl::desc("When to print stage progress"),
    cl::init(ProgressRequest::Auto),
    cl::values(clEnumValN(ProgressRequest::Auto, "auto",
                          "when stderr is a terminal, without --quiet"),
               clEnumValN(ProgressRequest::Always, "always", "always"),
               clEnumValN(ProgressRequest::Never, "never", "never")),
    cl::Hidden, cl::cat(category));
} // namespace

namespace {
bool fail(const Twine &message) {
  WithColor::error(errs(), "cnnc") << message << "\n";
  return false;
}

/// Prints `error` as cnnc's error; a pass's failure has said why already.
bool fail(Error error) {
  handleAllErrors(
      std::move(error), [](const cnnc::DiagnosedFailure &) {},
      [](const ErrorInfoBase &info) { fail(info.message()); });
  return false;
}

/// The CompileOptions that the flags ask for.
void fillOptions(cnnc::CompileOptions &options) {
  options.emit = emit.getValue();
  options.optLevel = optLevel.getValue();
  options.triple = targetTriple.getValue();
  options.cpu = targetCpu.getValue();
  options.features = targetFeatures.getValue();
  options.fusion = !noFusion;
  options.winograd = !noWinograd;
  options.winogradTile = winogradTile.getValue();
  options.winogradMaxTile = winogradMaxTile.getValue();
  options.llvmUnrollLoops = llvmUnrollLoops.getValue();
  options.verifyEach = verifyEach.getValue();
  options.fusionPasses = fusionPasses.getValue();
  options.tileBytes = fusionTileBytes.getValue();
  options.block = channelBlock.getValue();
  options.loneConvolutionsInNCHW = !blockLoneConvolutions;
  options.minParallelWork = minParallelWork.getValue();
  options.codegenThreads = codegenThreads.getValue();
  options.batch = batchSize.getValue();
  options.sanitize = sanitize.getValue();
  options.name = modelName.getValue();
  // cnnc compiles one module in its context: weights may go once used.
  options.releaseWeights = true;
  // The loops show the arena argument too; code for the machine has it
  // anyway.
  options.scratchArgument = emit == EmitKind::Loops;
  // IR dumps on stderr are what the user reads: no line in between.
  bool progress =
      progressRequest == ProgressRequest::Always ||
      (progressRequest == ProgressRequest::Auto && !quiet &&
       !cnnc::irDumpsRequested() && sys::Process::StandardErrIsDisplayed());
  if (progress)
    options.progress = cnnc::ProgressPrinter(errs());
}

/// --stats: the arena's size, from the memory plan.
void printStats(const cnnc::Artifacts &artifacts) {
  if (emit == EmitKind::Linalg || emit == EmitKind::Dot ||
      emit == EmitKind::SVG)
    errs() << "cnnc: --stats needs a lowering past bufferization "
              "(--emit=llvm-dialect or later)\n";
  else
    errs() << fmt::format("memory: arena {} bytes for the intermediate tensors "
                          "(without reuse: {}{} bytes)\n",
                          artifacts.arenaBytes,
                          // cnn-plan-memory saturates this sum.
                          artifacts.unplannedBytes == INT64_MAX ? "at least "
                                                                : "",
                          artifacts.unplannedBytes);
}

/// --fusion-report, to stderr or --fusion-report-file.
Error writeFusionReport(mlir::ModuleOp module,
                        const cnnc::CompileOptions &options) {
  auto format = fusionReport == FusionReportRequest::JSON
                    ? cnnc::fusion::FusionReportFormat::JSON
                    : cnnc::fusion::FusionReportFormat::Text;
  if (fusionReportFile.empty())
    return cnnc::reportFusion(module, options, format, errs());
  std::error_code error;
  raw_fd_ostream file(fusionReportFile, error, sys::fs::OF_Text);
  if (error)
    return createStringError(error, "cannot open '" + fusionReportFile +
                                        "': " + error.message());
  return cnnc::reportFusion(module, options, format, file);
}

/// Compiles the model as far as --emit asks and writes the result.
bool emitOutput(mlir::ModuleOp module) {
  bool binary = emit == EmitKind::Obj || emit == EmitKind::Archive ||
                emit == EmitKind::SharedLib;
  if (binary && outputFile == "-")
    return fail("--emit=obj, --emit=archive and --emit=so write files: name "
                "one with -o");
  if (optLevel > 3)
    return fail("-O takes 0, 1, 2 or 3");
  bool reporting = fusionReport != FusionReportRequest::None;
  if (reporting && emit == EmitKind::CNN)
    return fail("--fusion-report compiles the model: use it with an --emit "
                "past cnn (or -o lib.so)");
  if (!reporting && !fusionReportFile.empty())
    return fail("--fusion-report-file names where --fusion-report goes: "
                "give --fusion-report too");
  bool lowers = emit != EmitKind::CNN && emit != EmitKind::Header;
  if (lowers) {
    // Code needs every parameter's value: say so once, not per parameter.
    int64_t unbound = 0;
    module.walk([&](cnnc::cnn::WeightOp op) { unbound += !op.getValue(); });
    if (unbound)
      return fail(fmt::format(
          "the model has {} parameter(s) without values: give them with "
          "--weights=FILE.safetensors or --random-weights=SEED",
          unbound));
  }
  cnnc::CompileOptions options;
  fillOptions(options);
  if (reporting && lowers)
    if (Error error = writeFusionReport(module, options))
      return fail(std::move(error));
  Expected<cnnc::Artifacts> artifacts =
      cnnc::compile(module, options, [](mlir::PassManager &pm) {
        if (failed(cnnc::applyPassManagerCLOptionsEliding(pm)))
          return mlir::failure();
        mlir::applyDefaultTimingPassManagerCLOptions(pm);
        return mlir::success();
      });
  cnnc::warnIfIRFunctionUnprinted();
  if (!artifacts)
    return fail(artifacts.takeError());
  if (showStats && lowers)
    printStats(*artifacts);
  if (Error error = cnnc::writeArtifacts(*artifacts, outputFile))
    return fail(std::move(error));
  return true;
}
/// --emit=cnn-source: the model as .cnn text.
bool writeSource(mlir::ModuleOp module) {
  std::error_code error;
  raw_fd_ostream os(outputFile, error);
  if (error)
    return fail("cannot write '" + outputFile + "': " + error.message());
  if (Error written =
          cnnc::writeCnnSource(module, os, "Written by cnnc from " + inputFile))
    return fail(std::move(written));
  return true;
}

/// An .onnx input: the importer instead of the frontend, the initializers
/// as the weights.
bool compileOnnx() {
  if (!weightsFile.empty() || randomWeights.getNumOccurrences())
    return fail("an ONNX model brings its weights (its initializers): "
                "--weights and --random-weights are for .cnn models");
  cnnc::OnnxImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string problem = cnnc::parseInputShape(spec, options);
    if (!problem.empty())
      return fail(problem);
  }
  mlir::DialectRegistry registry;
  cnnc::registerCompilerDependencies(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      cnnc::importOnnxModel(inputFile, context, options);
  if (!module)
    return false;
  if (emit == kCnnSource)
    return writeSource(*module);
  return emitOutput(*module);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // Every pass that cnnc runs can be named in --mlir-print-ir-after/before.
  mlir::registerAllPasses();
  cnnc::registerCompilerPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  // Show cnnc's own options and the few MLIR printing options that matter for
  // its output, not the hundreds that libLLVM and libMLIR register.
  static cl::OptionCategory printing("IR printing options");
  cnnc::registerIRDumpOptions(printing);
  cl::HideUnrelatedOptions({&category, &printing});
  // LLVM registers a -stats of its own (its statistics) by now; cnnc's
  // --stats reports memory instead.
  if (cl::Option *llvmStats = cl::getRegisteredOptions().lookup("stats"))
    llvmStats->removeArgument();
  static cl::opt<bool, true> stats(
      "stats", cl::location(showStats),
      cl::desc("Print the size of the arena that holds the intermediate "
               "tensors, and the bytes they would take without reuse"),
      cl::cat(category));
  for (const char *name :
       {"mlir-print-debuginfo", "mlir-pretty-debuginfo",
        "mlir-print-op-generic", "mlir-elide-elementsattrs-if-larger",
        "mlir-print-local-scope", "mlir-print-ir-after-all",
        "mlir-print-ir-after", "mlir-print-ir-before",
        "mlir-print-ir-before-all", "mlir-timing"}) {
    auto it = cl::getRegisteredOptions().find(name);
    if (it != cl::getRegisteredOptions().end()) {
      it->second->setHiddenFlag(cl::NotHidden);
      it->second->addCategory(printing);
    }
  }
  emit.getParser().addLiteralOption(
      "cnn-source", kCnnSource,
      "the model as .cnn source (an imported ONNX model, for reading and "
      "editing; cnnc-import also writes its weights)");
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
                                   "... with a checkpoint's\n"
                                   "  cnnc model.cnn --random-weights=1 -o "
                                   "model.svg   a picture of the model\n"
                                   "  cnnc model.onnx -o libmodel.so           "
                                   "an ONNX model, its weights inside\n"
                                   "  cnnc model.cnn --weights=w.safetensors "
                                   "--name=net -o libnet.a\n"
                                   "                                           "
                                   "a static archive exporting net_run, "
                                   "net_model...\n",
                                   &errs()))
    return 1;
  if (!cnnc::forwardIRDumpOptions())
    return 1;
  if (!emit.getNumOccurrences())
    emit = StringRef(outputFile).ends_with(".cnn")
               ? kCnnSource
               : cnnc::emitKindForOutput(outputFile);
  // As in mlir-opt, a plugin's passes register once the command line is
  // read, so they are named in --fusion-passes rather than as flags.
  for (const std::string &path : passPlugins) {
    Expected<mlir::PassPlugin> plugin = mlir::PassPlugin::load(path);
    if (!plugin) {
      WithColor::error(errs(), "cnnc")
          << "cannot load pass plugin '" << path
          << "': " << toString(plugin.takeError()) << "\n";
      return 1;
    }
    plugin->registerPassRegistryCallbacks();
  }
  if (fusionTileBytes < 0) {
    WithColor::error(errs(), "cnnc")
        << "--fusion-tile-bytes must be positive, got " << fusionTileBytes
        << "\n";
    return 1;
  }
  if (channelBlock < cnnc::CompileOptions::kBlockFromTarget) {
    WithColor::error(errs(), "cnnc")
        << "--block must be 0 (NCHW) or a positive number of lanes, got "
        << channelBlock << "\n";
    return 1;
  }
  if (batchSize < 0 || (batchSize == 0 && batchSize.getNumOccurrences())) {
    WithColor::error(errs(), "cnnc")
        << "--batch must be a positive batch size, got " << batchSize << "\n";
    return 1;
  }
  if (minParallelWork < 1) {
    WithColor::error(errs(), "cnnc")
        << "--min-parallel-work must be positive, got " << minParallelWork
        << "\n";
    return 1;
  }
  if (!fusionPasses.empty()) {
    mlir::OpPassManager check("builtin.module");
    if (Error error = cnnc::addFusionPasses(check, fusionPasses)) {
      WithColor::error(errs(), "cnnc")
          << "--fusion-passes: " << toString(std::move(error)) << "\n";
      return 1;
    }
  }
  if (modelName.getNumOccurrences()) {
    std::string problem = cnnc::symbolPrefixProblem(modelName);
    if (!problem.empty()) {
      WithColor::error(errs(), "cnnc")
          << "--name '" << modelName
          << "' cannot prefix the library's C symbols: " << problem << "\n";
      return 1;
    }
  }
  if (!weightsFile.empty() && randomWeights.getNumOccurrences()) {
    WithColor::error(errs(), "cnnc")
        << "--weights and --random-weights exclude each other\n";
    return 1;
  }

  if (StringRef(inputFile).ends_with(".onnx"))
    return compileOnnx() ? 0 : 1;
  if (!inputShapes.empty()) {
    WithColor::error(errs(), "cnnc")
        << "--input-shape is for ONNX models: a .cnn model declares its "
           "input shapes\n";
    return 1;
  }

  SourceMgr sourceMgr;
  Expected<std::unique_ptr<MemoryBuffer>> buffer = cnnc::readInputFile(
      inputFile, cnnc::frontend::limits::kSourceStreamBytes);
  if (!buffer) {
    WithColor::error(errs(), "cnnc") << toString(buffer.takeError()) << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());

  mlir::DialectRegistry registry;
  cnnc::registerCompilerDependencies(registry);
  mlir::MLIRContext context(registry);
  // Diagnostics point at the model's lines; the IR op adds nothing there.
  context.printOpOnDiagnostic(false);
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

  if (emit == kCnnSource)
    return writeSource(*emitted->module) ? 0 : 1;
  return emitOutput(*emitted->module) ? 0 : 1;
}

//===- cnnc-import.cpp - ONNX models to .cnn sources ----------------------===//
//
// cnnc-import model.onnx -o model.cnn --weights-out model.safetensors
//
// Imports an ONNX model (importers/) and writes it in the .cnn language,
// each layer named after its ONNX node, with its initializers as a
// safetensors checkpoint under the names the source gives them: compiling
// the source with the checkpoint gives the library that compiling the
// .onnx file gives.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Importers/CnnSource.h"
#include "cnnc/Importers/ONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {
cl::OptionCategory category("cnnc-import options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o",
                                cl::desc("The .cnn file (default: stdout)"),
                                cl::value_desc("model.cnn"), cl::init("-"),
                                cl::cat(category));
cl::opt<std::string> weightsOut(
    "weights-out",
    cl::desc("Write the model's initializers as a safetensors checkpoint, "
             "named as the .cnn source names its parameters"),
    cl::value_desc("model.safetensors"), cl::cat(category));
cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("An input's static shape, where the file leaves it open"),
    cl::value_desc("NAME=1,3,224,224"), cl::cat(category));
cl::opt<std::string>
    modelName("model-name",
              cl::desc("The model's name (default: the file's stem)"),
              cl::value_desc("name"), cl::cat(category));

int fail(const Twine &message) {
  WithColor::error(errs(), "cnnc-import") << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "cnnc-import: an ONNX model as a .cnn source and its weights\n\n"
          "  cnnc-import model.onnx -o model.cnn --weights-out "
          "model.safetensors\n"
          "  cnnc model.cnn --weights model.safetensors -o libmodel.so\n",
          &errs()))
    return 1;

  cnnc::OnnxImportOptions options;
  options.tool = "cnnc-import";
  options.modelName = modelName;
  for (const std::string &spec : inputShapes) {
    std::string problem = cnnc::parseInputShape(spec, options);
    if (!problem.empty())
      return fail(problem);
  }
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      cnnc::importOnnxModel(inputFile, context, options);
  if (!module)
    return 1;

  std::string source;
  raw_string_ostream os(source);
  std::string header = "Imported from " + sys::path::filename(inputFile).str() +
                       " by cnnc-import";
  if (!weightsOut.empty())
    header += "; weights: " + sys::path::filename(weightsOut).str();
  if (Error error = cnnc::writeCnnSource(*module, os, header))
    return fail(inputFile + ": " + toString(std::move(error)));
  std::error_code ec;
  raw_fd_ostream out(outputFile, ec);
  if (ec)
    return fail("cannot write '" + outputFile + "': " + ec.message());
  out << source;
  if (!weightsOut.empty())
    if (Error error = cnnc::writeSafetensors(*module, weightsOut))
      return fail(toString(std::move(error)));
  return 0;
}

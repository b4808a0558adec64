//===- IRDumps.cpp - the IR that --mlir-print-ir-* dumps ------------------===//

#include "cnnc/Compiler/IRDumps.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/WithColor.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
/// The options of IR dumps that cnnc reads as well as MLIR: the pass lists
/// are cnnc's, handed on to MLIR's (which keep no list cnnc could read).
struct DumpOptions {
  DumpOptions(cl::OptionCategory &category, cl::Option *mlirBefore,
              cl::Option *mlirAfter)
      : category(category), mlirBefore(mlirBefore), mlirAfter(mlirAfter) {}
  cl::OptionCategory &category;
  cl::Option *mlirBefore, *mlirAfter;
  cl::list<std::string> before{
      "mlir-print-ir-before", cl::desc("Print IR before specified passes"),
      cl::value_desc("pass-arg"), cl::CommaSeparated, cl::cat(category)};
  cl::list<std::string> after{
      "mlir-print-ir-after", cl::desc("Print IR after specified passes"),
      cl::value_desc("pass-arg"), cl::CommaSeparated, cl::cat(category)};
  cl::opt<std::string> function{
      "print-ir-function",
      cl::desc("Limit the --mlir-print-ir-* dumps to one function: NAME and "
               "the functions cnnc makes of it (NAME.impl, its loop nests "
               "NAME.impl_nestN); after a pass on the module, only these "
               "functions of it"),
      cl::value_desc("NAME"), cl::cat(category)};
  /// Whether a dump printed a function that --print-ir-function names.
  std::atomic<bool> printed{false};
  std::mutex mutex;
};
DumpOptions *dumpOptions = nullptr;

/// MLIR's option `name`, a cl::opt<bool> (PassManagerOptions.cpp).
cl::opt<bool> *mlirFlag(llvm::StringRef name) {
  return static_cast<cl::opt<bool> *>(cl::getRegisteredOptions().lookup(name));
}

/// Whether `op` is the function that --print-ir-function names or one that
/// cnnc made of it: the name, or the name followed by '.' or '_'.
bool isDumpedFunction(Operation *op, llvm::StringRef name) {
  if (!isa<FunctionOpInterface>(op))
    return false;
  auto symbol = op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
  if (!symbol || !symbol.getValue().starts_with(name))
    return false;
  llvm::StringRef rest = symbol.getValue().drop_front(name.size());
  return rest.empty() || rest.front() == '.' || rest.front() == '_';
}

/// Dumps only the functions that --print-ir-function names, from whatever
/// op a pass runs on.
class FunctionIRPrinterConfig : public PassManager::IRPrinterConfig {
public:
  FunctionIRPrinterConfig(DumpOptions &options, bool beforeAll, bool afterAll)
      : options(options), beforeAll(beforeAll), afterAll(afterAll) {
    beforePasses.insert(options.before.begin(), options.before.end());
    afterPasses.insert(options.after.begin(), options.after.end());
  }

  void printBeforeIfEnabled(Pass *pass, Operation *op,
                            PrintCallbackFn print) override {
    if (beforeAll || beforePasses.contains(pass->getArgument()))
      printFunctions("Before", pass, op);
  }
  void printAfterIfEnabled(Pass *pass, Operation *op,
                           PrintCallbackFn print) override {
    if (afterAll || afterPasses.contains(pass->getArgument()))
      printFunctions("After", pass, op);
  }

private:
  void printFunctions(llvm::StringRef when, Pass *pass, Operation *op) {
    llvm::StringRef name = options.function;
    // The function itself, or the functions of the module a pass runs on,
    // each with the header that MLIR gives a nested op
    // (mlir/lib/Pass/IRPrinting.cpp): the dumps say which function.
    op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
      if (!isDumpedFunction(nested, name))
        return isa<FunctionOpInterface>(nested) ? WalkResult::skip()
                                                : WalkResult::advance();
      options.printed = true;
      // Passes on functions run on several threads: each dump is written
      // whole.
      std::string dump;
      llvm::raw_string_ostream out(dump);
      out << "// -----// IR Dump " << when << " " << pass->getName() << " ("
          << pass->getArgument() << ") ('" << nested->getName()
          << "' operation: @"
          << nested->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName())
                 .getValue()
          << ") //----- //\n";
      nested->print(out, getOpPrintingFlags().useLocalScope());
      out << "\n\n";
      std::lock_guard<std::mutex> lock(options.mutex);
      llvm::errs() << dump;
      return WalkResult::skip();
    });
  }

  DumpOptions &options;
  bool beforeAll, afterAll;
  llvm::StringSet<> beforePasses, afterPasses;
};
} // namespace

void cnnc::registerIRDumpOptions(cl::OptionCategory &category) {
  llvm::StringMap<cl::Option *> &registered = cl::getRegisteredOptions();
  cl::Option *before = registered.lookup("mlir-print-ir-before");
  cl::Option *after = registered.lookup("mlir-print-ir-after");
  assert(before && after && "mlir::registerPassManagerCLOptions comes first");
  before->removeArgument();
  after->removeArgument();
  dumpOptions = new DumpOptions(category, before, after);
}

bool cnnc::forwardIRDumpOptions() {
  if (!dumpOptions)
    return true;
  bool ok = true;
  for (const std::string &pass : dumpOptions->before)
    ok &= !dumpOptions->mlirBefore->addOccurrence(
        0, dumpOptions->mlirBefore->ArgStr, pass);
  for (const std::string &pass : dumpOptions->after)
    ok &= !dumpOptions->mlirAfter->addOccurrence(
        0, dumpOptions->mlirAfter->ArgStr, pass);
  if (!ok || dumpOptions->function.empty())
    return ok;
  for (llvm::StringRef name :
       {"mlir-print-ir-after-change", "mlir-print-ir-after-failure",
        "mlir-print-ir-tree-dir"}) {
    cl::Option *option = cl::getRegisteredOptions().lookup(name);
    if (option && option->getNumOccurrences()) {
      llvm::WithColor::error(llvm::errs(), "cnnc")
          << "--print-ir-function works with --mlir-print-ir-before, "
             "--mlir-print-ir-after and their -all forms, not --"
          << name << "\n";
      return false;
    }
  }
  return true;
}

bool cnnc::setDumpResourceLimit() {
  cl::Option *elide = cl::getRegisteredOptions().lookup(
      "mlir-elide-resource-strings-if-larger");
  if (!elide || elide->getNumOccurrences())
    return false;
  elide->addOccurrence(0, elide->ArgStr, std::to_string(kDumpResourceLimit));
  return true;
}

void cnnc::resetDumpResourceLimit() {
  cl::getRegisteredOptions()
      .lookup("mlir-elide-resource-strings-if-larger")
      ->reset();
}

LogicalResult cnnc::applyPassManagerCLOptionsEliding(PassManager &pm) {
  // MLIR's IR printing takes its OpPrintingFlags when it is enabled, from
  // the printing options given on the command line. The limit is given for
  // that moment only, so that what cnnc emits later keeps every weight.
  bool defaulted = setDumpResourceLimit();
  LogicalResult result = success();
  if (dumpOptions && !dumpOptions->function.empty()) {
    // MLIR's dumps would print every function: its options are off while
    // they apply, and cnnc's printer dumps what they asked for.
    cl::opt<bool> *beforeAll = mlirFlag("mlir-print-ir-before-all");
    cl::opt<bool> *afterAll = mlirFlag("mlir-print-ir-after-all");
    bool printBeforeAll = beforeAll->getValue();
    bool printAfterAll = afterAll->getValue();
    for (cl::Option *option : {dumpOptions->mlirBefore, dumpOptions->mlirAfter,
                               static_cast<cl::Option *>(beforeAll),
                               static_cast<cl::Option *>(afterAll)})
      option->reset();
    result = applyPassManagerCLOptions(pm);
    pm.enableIRPrinting(std::make_unique<FunctionIRPrinterConfig>(
        *dumpOptions, printBeforeAll, printAfterAll));
    if (printBeforeAll)
      beforeAll->addOccurrence(0, beforeAll->ArgStr, "true");
    if (printAfterAll)
      afterAll->addOccurrence(0, afterAll->ArgStr, "true");
    forwardIRDumpOptions();
  } else {
    result = applyPassManagerCLOptions(pm);
  }
  if (defaulted)
    resetDumpResourceLimit();
  return result;
}

bool cnnc::irDumpsRequested() {
  return llvm::any_of(
      llvm::ArrayRef<llvm::StringRef>{
          "mlir-print-ir-before", "mlir-print-ir-after",
          "mlir-print-ir-before-all", "mlir-print-ir-after-all",
          "mlir-print-ir-after-change", "mlir-print-ir-after-failure"},
      [](llvm::StringRef name) {
        cl::Option *option = cl::getRegisteredOptions().lookup(name);
        return option && option->getNumOccurrences();
      });
}

void cnnc::warnIfIRFunctionUnprinted() {
  if (!dumpOptions || dumpOptions->function.empty() || dumpOptions->printed)
    return;
  llvm::WithColor::warning(llvm::errs(), "cnnc")
      << "--print-ir-function=" << dumpOptions->function
      << ": no --mlir-print-ir-* dump printed a function of that name\n";
}

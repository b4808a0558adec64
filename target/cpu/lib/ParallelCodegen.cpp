//===- ParallelCodegen.cpp - a library's machine code on several threads --===//
//
// Code generation is the longest stage of a large model's compile (a few
// seconds of DenseNet-121's or ResNet-50's), and it runs function by
// function. A lowered model is many functions (one per loop nest), so the
// optimized module is split into partitions of about equal size whose
// objects are generated at once, one thread each, and linked together.
// LLVM's SplitModule is not used: it clones every partition, weights
// included, and an LLVMContext is not thread-safe, so each partition would
// have to travel through bitcode with its weights (two more copies of them,
// against the compile's memory bound). Here the first partition is the
// module itself, which keeps every global variable (the weights) and is
// generated on the calling thread; the others hold functions only, and
// reach their threads as small bitcode parsed into contexts of their own.
// Symbols that cross partitions become hidden, so the library still
// exports only its C API.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/Emission.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace llvm;

namespace {

/// Fewer instructions than this are not worth a second thread.
constexpr size_t kMinInstructionsPerPartition = 20000;
/// Threads beyond this would each get too little to pay for their start.
constexpr size_t kMaxPartitions = 64;

size_t instructionCount(const Function &function) {
  return function.getInstructionCount();
}

/// Assigns each function with a body to a partition, largest first to the
/// partition with the fewest instructions so far; partition 0 stays the
/// module. Returns the partition of each function moved out of it.
DenseMap<const Function *, unsigned> assignPartitions(const Module &module,
                                                      unsigned partitions) {
  // Largest first, ties in the module's order, so that the partitions (and
  // the library) are the same from one compile to the next.
  SmallVector<std::pair<size_t, const Function *>> functions;
  for (const Function &function : module)
    if (!function.isDeclaration())
      functions.push_back({instructionCount(function), &function});
  for (size_t i = 0; i < functions.size(); ++i)
    functions[i].first =
        functions[i].first * functions.size() + (functions.size() - 1 - i);
  llvm::sort(functions,
             [](const auto &a, const auto &b) { return a.first > b.first; });
  SmallVector<size_t> load(partitions, 0);
  DenseMap<const Function *, unsigned> moved;
  for (auto [key, function] : functions) {
    unsigned lightest =
        std::min_element(load.begin(), load.end()) - load.begin();
    load[lightest] += instructionCount(*function);
    if (lightest != 0)
      moved[function] = lightest;
  }
  return moved;
}

/// Calls `use` with each global value that `root` (an instruction's or an
/// initializer's operand) refers to, through constant expressions and
/// aggregates.
void forEachGlobalIn(Value *root, DenseSet<Constant *> &seen,
                     function_ref<void(GlobalValue &)> use) {
  SmallVector<Value *> work = {root};
  while (!work.empty()) {
    Value *value = work.pop_back_val();
    if (auto *global = dyn_cast<GlobalValue>(value)) {
      use(*global);
      continue;
    }
    auto *constant = dyn_cast<Constant>(value);
    if (!constant || !seen.insert(constant).second)
      continue;
    for (Value *operand : constant->operands())
      work.push_back(operand);
  }
}

/// Gives each local symbol that a partition other than its own refers to
/// external linkage and hidden visibility (and a name, if it has none), so
/// that the other partition's object can reach it and the library still
/// does not export it. Symbols used within one partition stay local, and
/// LLVM keeps optimizing them as such.
void hideAcrossPartitions(Module &module,
                          const DenseMap<const Function *, unsigned> &moved) {
  auto partitionOf = [&](const GlobalValue &value) -> unsigned {
    auto *function = dyn_cast<Function>(&value);
    auto it = function ? moved.find(function) : moved.end();
    return it == moved.end() ? 0 : it->second;
  };
  auto hideFrom = [&](unsigned user) {
    return [&, user](GlobalValue &value) {
      if (!value.hasLocalLinkage() || partitionOf(value) == user)
        return;
      if (!value.hasName())
        value.setName("cnnc.partition.symbol");
      value.setLinkage(GlobalValue::ExternalLinkage);
      value.setVisibility(GlobalValue::HiddenVisibility);
    };
  };
  DenseSet<Constant *> seen;
  for (Function &function : module) {
    if (function.isDeclaration())
      continue;
    auto hide = hideFrom(partitionOf(function));
    for (Instruction &instruction : instructions(function))
      for (Value *operand : instruction.operands())
        forEachGlobalIn(operand, seen, hide);
    // A constant seen from one partition may be met again from another.
    seen.clear();
  }
  // Global variables (and their initializers' references: the model's
  // description points to its functions) stay in partition 0.
  auto hide = hideFrom(0);
  for (GlobalVariable &variable : module.globals())
    if (variable.hasInitializer())
      forEachGlobalIn(variable.getInitializer(), seen, hide);
  for (GlobalAlias &alias : module.aliases())
    forEachGlobalIn(alias.getAliasee(), seen, hide);
}

/// The functions of partition `index` as a module of their own: every other
/// symbol declared, LLVM's special globals (constructors and destructors,
/// `llvm.used`) left to partition 0.
std::unique_ptr<Module>
clonePartition(const Module &module,
               const DenseMap<const Function *, unsigned> &moved,
               unsigned index) {
  ValueToValueMapTy map;
  std::unique_ptr<Module> part =
      CloneModule(module, map, [&](const GlobalValue *value) {
        auto *function = dyn_cast<Function>(value);
        auto it = function ? moved.find(function) : moved.end();
        return it != moved.end() && it->second == index;
      });
  SmallVector<GlobalVariable *> special;
  for (GlobalVariable &variable : part->globals())
    if (variable.getName().starts_with("llvm."))
      special.push_back(&variable);
  for (GlobalVariable *variable : special)
    variable->eraseFromParent();
  return part;
}

/// Sums the partitions' progress for the caller's callback, which it calls
/// from one thread at a time.
class SharedProgress {
public:
  SharedProgress(cnnc::CodegenProgress progress, unsigned partitions)
      : progress(std::move(progress)), done(partitions, 0),
        total(partitions, 0) {}

  cnnc::CodegenProgress forPartition(unsigned index) {
    if (!progress)
      return nullptr;
    return [this, index](unsigned partDone, unsigned partTotal) {
      std::lock_guard<std::mutex> lock(mutex);
      done[index] = partDone;
      total[index] = partTotal;
      unsigned allDone = 0, allTotal = 0;
      for (unsigned i = 0; i < done.size(); ++i) {
        allDone += done[i];
        allTotal += total[i];
      }
      progress(allDone, allTotal);
    };
  }

private:
  cnnc::CodegenProgress progress;
  std::mutex mutex;
  SmallVector<unsigned> done, total;
};

Error emitToFile(Module &module, const cnnc::TargetSpec &target, StringRef path,
                 cnnc::CodegenProgress progress, bool optimize) {
  if (optimize)
    if (Error failure = cnnc::optimizeModule(module, target))
      return failure;
  std::error_code error;
  raw_fd_ostream os(path, error);
  if (error)
    return createStringError(error, "cannot write the object file '" + path +
                                        "': " + error.message());
  if (Error failure = cnnc::emitMachineCode(
          module, target, CodeGenFileType::ObjectFile, os, std::move(progress)))
    return failure;
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write the object file '" +
                                             path +
                                             "': " + os.error().message());
  return Error::success();
}

} // namespace

unsigned cnnc::codegenPartitions(const Module &module, unsigned threads,
                                 bool exact) {
  size_t instructions = 0, functions = 0;
  for (const Function &function : module) {
    instructions += instructionCount(function);
    functions += !function.isDeclaration();
  }
  size_t worth =
      exact ? threads
            : std::max<size_t>(1, instructions / kMinInstructionsPerPartition);
  return static_cast<unsigned>(std::max<size_t>(
      1, std::min<size_t>({threads, worth, functions, kMaxPartitions})));
}

Error cnnc::emitObjectFiles(Module &module, const TargetSpec &target,
                            ArrayRef<std::string> paths,
                            CodegenProgress progress, bool optimize) {
  unsigned partitions = paths.size();
  if (partitions <= 1)
    return emitToFile(module, target, paths.front(), std::move(progress),
                      optimize);

  DenseMap<const Function *, unsigned> moved =
      assignPartitions(module, partitions);
  hideAcrossPartitions(module, moved);
  // Each other partition as bitcode, then its functions out of the module.
  SmallVector<SmallVector<char, 0>> bitcode(partitions);
  for (unsigned index = 1; index < partitions; ++index) {
    std::unique_ptr<Module> part = clonePartition(module, moved, index);
    raw_svector_ostream os(bitcode[index]);
    WriteBitcodeToFile(*part, os);
  }
  for (auto [function, index] : moved)
    const_cast<Function *>(function)->deleteBody();

  SharedProgress shared(std::move(progress), partitions);
  std::vector<std::optional<Error>> errors(partitions);
  SmallVector<std::thread> threads;
  for (unsigned index = 1; index < partitions; ++index)
    threads.emplace_back([&, index] {
      LLVMContext context;
      Expected<std::unique_ptr<Module>> part =
          parseBitcodeFile(MemoryBufferRef(StringRef(bitcode[index].data(),
                                                     bitcode[index].size()),
                                           "cnnc-partition"),
                           context);
      if (!part) {
        errors[index].emplace(part.takeError());
        return;
      }
      errors[index].emplace(emitToFile(**part, target, paths[index],
                                       shared.forPartition(index), optimize));
    });
  errors[0].emplace(
      emitToFile(module, target, paths[0], shared.forPartition(0), optimize));
  for (std::thread &thread : threads)
    thread.join();
  Error all = Error::success();
  for (std::optional<Error> &error : errors)
    all = joinErrors(std::move(all), std::move(*error));
  return all;
}

//===- CpuFeatures.cpp - the CPU features a library needs -----------------===//

#include "cnnc/Target/CPU/CpuFeatures.h"
#include "cnnc/Target/CPU/CInterface.h"
#include "cnnc/Target/CPU/TargetMachine.h"

#include "cnnc_cpu_features.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/MC/MCSubtargetInfo.h"

#include <fmt/format.h>

using namespace llvm;

namespace {

struct Feature {
  unsigned bit;
  const char *name;
};

/// The table of cnnc_cpu_features.h: the bit and the LLVM name of each.
constexpr Feature kFeatures[] = {
#define CNNC_FEATURE_ENTRY(bit, name, leaf, subleaf, reg, regBit, state)       \
  {bit, name},
    CNNC_CPU_FEATURES(CNNC_FEATURE_ENTRY)
#undef CNNC_FEATURE_ENTRY
};

constexpr StringLiteral kDetect = "cnnc_rt_cpu_features";

} // namespace

uint64_t cnnc::requiredCpuFeatureMask(const TargetMachine &machine) {
  if (!machine.getTargetTriple().isX86())
    return 0;
  const MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  uint64_t mask = 0;
  for (const Feature &feature : kFeatures)
    if (info->checkFeatures(std::string("+") + feature.name))
      mask |= uint64_t(1) << feature.bit;
  return mask;
}

std::vector<std::string> cnnc::cpuFeatureNames(uint64_t mask) {
  std::vector<std::string> names;
  for (const Feature &feature : kFeatures)
    if (mask & (uint64_t(1) << feature.bit))
      names.push_back(feature.name);
  return names;
}

Expected<std::string> cnnc::cpuFeaturesHeaderSection(StringRef model,
                                                     const TargetSpec &target) {
  Expected<std::unique_ptr<TargetMachine>> machine =
      createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  std::vector<std::string> names =
      cpuFeatureNames(requiredCpuFeatureMask(**machine));
  return fmt::format(
      R"(/* Compiled for {triple}, CPU '{cpu}'.
 * The CPU features the code needs beyond the architecture's baseline, as
 * LLVM names them: the run functions return CNNC_ERROR_UNSUPPORTED_CPU on a
 * CPU without one of them. */
#define CNNC_MODEL_{upper}_CPU_FEATURES "{features}"

)",
      fmt::arg("triple", (*machine)->getTargetTriple().str()),
      fmt::arg("cpu", (*machine)->getTargetCPU().str()),
      fmt::arg("upper", model.upper()),
      fmt::arg("features", fmt::join(names, ",")));
}

Error cnnc::addCpuFeatureCheck(Module &module, ArrayRef<Function *> api,
                               uint64_t mask) {
  if (!mask)
    return Error::success();
  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  FunctionCallee detect = module.getOrInsertFunction(kDetect, i64);
  for (Function *function : api) {
    // The functions that run the model: those that call code that was in
    // the module before the C API (the model function), which may use the
    // features.
    bool runsModel = llvm::any_of(instructions(*function), [&](auto &inst) {
      auto *call = dyn_cast<CallInst>(&inst);
      Function *callee = call ? call->getCalledFunction() : nullptr;
      return callee && !callee->isDeclaration() &&
             !llvm::is_contained(api, callee);
    });
    if (!runsModel)
      continue;
    if (function->getReturnType() != i32)
      return createStringError(
          inconvertibleErrorCode(),
          fmt::format("the C API function '{}' runs the model but returns "
                      "no status to report an unsupported CPU with",
                      function->getName().str()));
    BasicBlock &entry = function->getEntryBlock();
    BasicBlock *run = entry.splitBasicBlock(entry.getFirstInsertionPt(), "run");
    auto *unsupported =
        BasicBlock::Create(context, "unsupported_cpu", function, run);
    entry.getTerminator()->eraseFromParent();
    IRBuilder<> b(&entry);
    Value *present = b.CreateAnd(b.CreateCall(detect), mask);
    b.CreateCondBr(b.CreateICmpEQ(present, ConstantInt::get(i64, mask)), run,
                   unsupported);
    b.SetInsertPoint(unsupported);
    b.CreateRet(
        ConstantInt::get(i32, static_cast<int>(CStatus::UnsupportedCpu)));
  }
  return Error::success();
}

void cnnc::compileForBaselineCpu(Module &module, ArrayRef<Function *> api) {
  Function *detect = module.getFunction(kDetect);
  if (!detect || detect->isDeclaration())
    return;
  for (Function *function : api)
    for (StringRef kind : {"target-cpu", "target-features", "tune-cpu"})
      if (detect->hasFnAttribute(kind))
        function->addFnAttr(detect->getFnAttribute(kind));
}

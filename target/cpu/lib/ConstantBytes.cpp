//===- ConstantBytes.cpp - large constant arrays as bytes -----------------===//
//
// LLVM's AsmPrinter writes a constant array of floats element by element,
// each through an APFloat, but an array of bytes in one piece. A model's
// weights are such arrays, tens of megabytes of them: ResNet-50's took
// about 2.3 of the 3.2 s that its first object's code generation took (on
// the thread that also generates code, while the others were done). Each
// large constant array becomes a byte array with the same contents,
// alignment and linkage; the kernels address the weights by byte offsets
// (opaque pointers), and LLVM folds a load from a byte array as it folds
// one from a float array, so the code does not change.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/Emission.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/GlobalVariable.h"

using namespace llvm;

namespace {
/// Smaller arrays take no time to write either way.
constexpr uint64_t kMinBytes = 4096;
} // namespace

void cnnc::storeConstantArraysAsBytes(Module &module) {
  const DataLayout &layout = module.getDataLayout();
  SmallVector<GlobalVariable *> arrays;
  for (GlobalVariable &global : module.globals()) {
    auto *values = global.hasInitializer()
                       ? dyn_cast<ConstantDataArray>(global.getInitializer())
                       : nullptr;
    if (global.isConstant() && values && !values->isString() &&
        values->getRawDataValues().size() >= kMinBytes)
      arrays.push_back(&global);
  }
  Type *byte = Type::getInt8Ty(module.getContext());
  for (GlobalVariable *global : arrays) {
    auto *values = cast<ConstantDataArray>(global->getInitializer());
    StringRef data = values->getRawDataValues();
    Constant *bytes = ConstantDataArray::getRaw(data, data.size(), byte);
    auto *replacement = new GlobalVariable(
        module, bytes->getType(), /*isConstant=*/true, global->getLinkage(),
        bytes, "", global, global->getThreadLocalMode(),
        global->getAddressSpace());
    replacement->copyAttributesFrom(global);
    // The array of floats had at least its type's preferred alignment.
    replacement->setAlignment(std::max(global->getAlign().valueOrOne(),
                                       layout.getPreferredAlign(global)));
    replacement->takeName(global);
    global->replaceAllUsesWith(replacement);
    global->eraseFromParent();
  }
}

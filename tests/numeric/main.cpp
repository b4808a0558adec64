//===- main.cpp - Catch2 entry point of cnnc's numeric tests --------------===//
//
// The JIT needs the native target; everything else is Catch2's.
//
//===----------------------------------------------------------------------===//

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "llvm/Support/TargetSelect.h"

int main(int argc, char **argv) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  return Catch::Session().run(argc, argv);
}

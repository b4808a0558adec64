//===- TestPlugin.cpp - a pass and a dialect plugin for cnnc's tests ------===//
//
// Shows that out-of-tree code loads into cnnc-opt: a pass that uses the cnn
// dialect's C++ API (--load-pass-plugin) and a dialect of its own
// (--load-dialect-plugin).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

#include "TestDialect.h.inc"
#define GET_OP_CLASSES
#include "TestOps.h.inc"

#include "TestDialect.cpp.inc"
#define GET_OP_CLASSES
#include "TestOps.cpp.inc"

using namespace mlir;

void cnnc_test::CnncTestDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "TestOps.cpp.inc"
      >();
}

namespace {
/// Tags each convolution with the variant the dialect's queries report.
struct TagConvolutionsPass : PassWrapper<TagConvolutionsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TagConvolutionsPass)

  StringRef getArgument() const final { return "cnnc-test-tag-convolutions"; }
  StringRef getDescription() const final {
    return "Tag each cnn.conv2d with its variant (test plugin)";
  }

  void runOnOperation() override {
    getOperation()->walk([](cnnc::cnn::Conv2DOp conv) {
      StringRef variant = conv.isDepthwise()   ? "depthwise"
                          : conv.isPointwise() ? "pointwise"
                          : conv.isGrouped()   ? "grouped"
                                               : "standard";
      conv->setAttr("test.variant",
                    StringAttr::get(conv.getContext(), variant));
    });
  }
};

/// Leaves IR that does not verify: every cnn.conv2d gets 3 groups, which
/// no channel count of the tests divides. For the drivers' reports of a
/// user's pass that breaks the IR.
struct BreakConvolutionsPass
    : PassWrapper<BreakConvolutionsPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BreakConvolutionsPass)

  StringRef getArgument() const final { return "cnnc-test-break-convolutions"; }
  StringRef getDescription() const final {
    return "Give each cnn.conv2d 3 groups, leaving invalid IR (test plugin)";
  }

  void runOnOperation() override {
    getOperation()->walk([](cnnc::cnn::Conv2DOp conv) {
      conv->setAttr("groups", IntegerAttr::get(
                                  IntegerType::get(conv.getContext(), 64), 3));
    });
  }
};
} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CnncTestPassPlugin", LLVM_VERSION_STRING,
          [] {
            PassRegistration<TagConvolutionsPass>();
            PassRegistration<BreakConvolutionsPass>();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CnncTestDialectPlugin", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            registry->insert<cnnc_test::CnncTestDialect>();
          }};
}

//===- FuseDenseActivation.cpp - an out-of-tree fusion pass for cnnc ------===//
//
// A pass plugin that adds one fusion to cnnc: a dense layer and the
// activation after it become one `cnn.fused "dense_activation"`. cnnc's
// code generation does not know this kind, so it lowers the body op by op:
// the new kind is correct at once, and a lowering of its own (in a fork of
// conversion/lib/LowerFused.cpp) would make it fast. Load it with
//
//   cnnc-opt model.mlir --load-pass-plugin=libCnncFusionPlugin.so \
//       --pass-pipeline='builtin.module(cnnc-example-fuse-dense-activation)'
//   cnnc model.cnn --load-pass-plugin=libCnncFusionPlugin.so \
//       --fusion-passes=cnnc-example-fuse-dense-activation -o libmodel.so
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;
namespace cnn = cnnc::cnn;

namespace {

/// dense -> activation, when the activation is the dense layer's only user.
struct FuseDenseActivation : OpRewritePattern<cnn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DenseOp dense,
                                PatternRewriter &rewriter) const override {
    if (!cnnc::fusion::isUnfused(dense))
      return rewriter.notifyMatchFailure(dense, "already fused");
    if (!dense->hasOneUse())
      return rewriter.notifyMatchFailure(dense, "the result has other users");
    Operation *activation = *dense->getUsers().begin();
    if (!isa<cnn::ActivationOpInterface>(activation))
      return rewriter.notifyMatchFailure(dense, "no activation follows");
    cnn::FusedOp::fuseChain(rewriter, "dense_activation",
                            {dense.getOperation(), activation});
    return success();
  }
};

struct FuseDenseActivationPass
    : PassWrapper<FuseDenseActivationPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FuseDenseActivationPass)

  StringRef getArgument() const final {
    return "cnnc-example-fuse-dense-activation";
  }
  StringRef getDescription() const final {
    return "Fuse a dense layer and its activation into cnn.fused "
           "\"dense_activation\" (example plugin)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<cnn::CNNDialect>();
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDenseActivation>(&getContext());
    // Each dense layer at most once: the fused ops are not matched again.
    if (failed(
            cnnc::fusion::fuseExistingOps(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CnncFusionPlugin", LLVM_VERSION_STRING,
          [] { PassRegistration<FuseDenseActivationPass>(); }};
}

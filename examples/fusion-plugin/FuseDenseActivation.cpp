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
#include "cnnc/Passes/FusionRejections.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;
namespace cnn = cnnc::cnn;

namespace {

/// dense -> activation: the chain to fuse, a candidate left unfused (the
/// dense result has other users), or nothing. One matcher serves the
/// pattern, which fuses, and the report of what was not fused.
cnnc::fusion::Match matchDenseActivation(cnn::DenseOp dense) {
  using cnnc::fusion::Match;
  if (!cnnc::fusion::isUnfused(dense) || dense->use_empty())
    return Match::none();
  auto activation = llvm::find_if(dense->getUsers(), [](Operation *user) {
    return isa<cnn::ActivationOpInterface>(user);
  });
  if (activation == dense->getUsers().end())
    return Match::none();
  Operation *chain[] = {dense, *activation};
  if (!dense->hasOneUse())
    return Match::reject(cnn::FusionRejectReason::MultiUse,
                         "the dense layer's result has other users", chain);
  return Match::fuse({dense, *activation});
}

struct FuseDenseActivation : OpRewritePattern<cnn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DenseOp dense,
                                PatternRewriter &rewriter) const override {
    cnnc::fusion::Match match = matchDenseActivation(dense);
    if (!match.fuses())
      return match.notifyFailure(rewriter, dense);
    cnn::FusedOp::fuseChain(rewriter, "dense_activation", match.getChain());
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
      return signalPassFailure();
    // Then mark the candidates left unfused, for the fusion report.
    cnnc::fusion::recordRejections(getOperation(), getArgument(),
                                   "dense_activation", [](Operation *op) {
                                     auto dense = dyn_cast<cnn::DenseOp>(op);
                                     return dense ? matchDenseActivation(dense)
                                                  : cnnc::fusion::Match::none();
                                   });
  }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CnncFusionPlugin", LLVM_VERSION_STRING,
          [] { PassRegistration<FuseDenseActivationPass>(); }};
}

//===- LowerToLinalg.cpp - the cnn-lower-to-linalg pass -------------------===//

#include "LoweringUtils.h"
#include "cnnc/Conversion/Passes.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Transforms/DialectConversion.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNLOWERTOLINALG
#include "cnnc/Conversion/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

void cnnc::populateLowerCNNToLinalgPatterns(RewritePatternSet &patterns) {
  lowering::populateConvolutionLoweringPatterns(patterns);
  lowering::populatePoolingLoweringPatterns(patterns);
  lowering::populateElementwiseLoweringPatterns(patterns);
  lowering::populateShapeLoweringPatterns(patterns);
}

namespace {
struct LowerToLinalgPass : cnnc::impl::CNNLowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // Parameters need values; say so once for each, before converting.
    bool unbound = false;
    getOperation().walk([&](cnnc::cnn::WeightOp op) {
      if (op.getValue())
        return;
      op.emitOpError("parameter '")
          << op.getName()
          << "' has no value: bind weights first (cnnc --weights or "
             "--random-weights)";
      unbound = true;
    });
    if (unbound)
      return signalPassFailure();
    if (failed(cnnc::lowering::expandFusedOps(getOperation())))
      return signalPassFailure();
    cnnc::lowering::lowerConcatChains(getOperation());
    ConversionTarget target(*context);
    target.addIllegalDialect<cnnc::cnn::CNNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    cnnc::populateLowerCNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    cnnc::lowering::placeConcatChainBuffers(getOperation());
  }
};
} // namespace

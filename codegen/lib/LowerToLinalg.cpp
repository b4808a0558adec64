//===- LowerToLinalg.cpp - the cnn-lower-to-linalg pass -------------------===//

#include "LoweringUtils.h"
#include "cnnc/Codegen/Passes.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Transforms/DialectConversion.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNLOWERTOLINALG
#include "cnnc/Codegen/Passes.h.inc"
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
    ConversionTarget target(*context);
    target.addIllegalDialect<cnnc::cnn::CNNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(context);
    cnnc::populateLowerCNNToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

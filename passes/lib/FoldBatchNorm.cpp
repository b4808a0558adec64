//===- FoldBatchNorm.cpp - batch norm into the preceding layer ------------===//

#include "WeightValues.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_CNNFOLDBATCHNORM
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;
using cnnc::makeWeight;
using cnnc::readWeight;

namespace {

/// The name of a layer's parameters: the filter's name without ".weight".
std::string layerName(Value filter) {
  StringRef name = filter.getDefiningOp<WeightOp>().getName();
  name.consume_back(".weight");
  return name.str();
}

struct FoldBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *producer = bn.getInput().getDefiningOp();
    if (!isa_and_nonnull<Conv2DOp, DenseOp>(producer))
      return rewriter.notifyMatchFailure(bn, "not after a conv2d or dense");
    if (!producer->getResult(0).hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the layer has other users");
    Type element = bn.getType().getElementType();
    if (!element.isF32() && !element.isF64())
      return rewriter.notifyMatchFailure(bn, "not f32 or f64");

    Value filterValue = producer->getOperand(1);
    Value biasValue =
        producer->getNumOperands() > 2 ? producer->getOperand(2) : Value();
    std::optional<std::vector<double>> filter = readWeight(filterValue);
    std::optional<std::vector<double>> mean = readWeight(bn.getMean());
    std::optional<std::vector<double>> variance = readWeight(bn.getVariance());
    if (!filter || !mean || !variance)
      return rewriter.notifyMatchFailure(bn, "parameters without values");
    int64_t channels = static_cast<int64_t>(mean->size());
    auto optionalParameter =
        [&](Value value,
            double fallback) -> std::optional<std::vector<double>> {
      if (!value)
        return std::vector<double>(channels, fallback);
      return readWeight(value);
    };
    std::optional<std::vector<double>> scale =
        optionalParameter(bn.getScale(), 1.0);
    std::optional<std::vector<double>> shift =
        optionalParameter(bn.getShift(), 0.0);
    std::optional<std::vector<double>> bias = optionalParameter(biasValue, 0.0);
    if (!scale || !shift || !bias)
      return rewriter.notifyMatchFailure(bn, "parameters without values");

    // Filters and dense weights have the output channel as dimension 0.
    double epsilon = bn.getEpsilon().convertToDouble();
    int64_t perChannel = static_cast<int64_t>(filter->size()) / channels;
    std::vector<double> newFilter(*filter), newBias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      double factor = (*scale)[c] / std::sqrt((*variance)[c] + epsilon);
      for (int64_t i = 0; i < perChannel; ++i)
        newFilter[c * perChannel + i] *= factor;
      newBias[c] = ((*bias)[c] - (*mean)[c]) * factor + (*shift)[c];
    }

    rewriter.setInsertionPoint(producer);
    Location loc = producer->getLoc();
    std::string name = layerName(filterValue);
    auto filterType = cast<RankedTensorType>(filterValue.getType());
    auto biasType = RankedTensorType::get({channels}, element);
    Value folded =
        makeWeight(rewriter, loc, name + ".weight", filterType, newFilter);
    Value foldedBias =
        makeWeight(rewriter, loc, name + ".bias", biasType, newBias);
    Value result;
    if (auto conv = dyn_cast<Conv2DOp>(producer))
      result = rewriter.create<Conv2DOp>(
          loc, conv.getType(), conv.getInput(), folded, foldedBias,
          conv.getStridesAttr(), conv.getPaddingAttr(), conv.getDilationsAttr(),
          conv.getGroupsAttr());
    else
      result = rewriter.create<DenseOp>(loc, bn.getType(),
                                        cast<DenseOp>(producer).getInput(),
                                        folded, foldedBias);
    rewriter.replaceOp(bn, result);
    rewriter.eraseOp(producer);
    return success();
  }
};

struct FoldBatchNormPass : cnnc::impl::CNNFoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNorm>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

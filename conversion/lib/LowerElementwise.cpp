//===- LowerElementwise.cpp - activations, arithmetic, batch norm ---------===//
//
// Each op becomes one element-wise linalg.generic whose body computes the
// PyTorch formula; broadcasting operands are read through broadcast maps.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return floatConstant(b, loc, like.getType(), value);
}

/// min(max(x, lo), hi), propagating NaN as PyTorch's clamp does.
Value clamp(OpBuilder &b, Location loc, Value x, double lo, double hi) {
  Value low = b.create<arith::MaximumFOp>(loc, x, constantLike(b, loc, x, lo));
  return b.create<arith::MinimumFOp>(loc, low, constantLike(b, loc, x, hi));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value negated = b.create<arith::NegFOp>(loc, x);
  Value exp = b.create<math::ExpOp>(loc, negated);
  Value one = constantLike(b, loc, x, 1.0);
  return b.create<arith::DivFOp>(loc, one,
                                 b.create<arith::AddFOp>(loc, one, exp));
}

/// x >= 0 ? x : x * slope(), the formula of leaky_relu and prelu.
Value scaleNegative(OpBuilder &b, Location loc, Value x,
                    function_ref<Value()> slope) {
  Value zero = constantLike(b, loc, x, 0);
  Value positive =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, zero);
  Value scaled = b.create<arith::MulFOp>(loc, x, slope());
  return b.create<arith::SelectOp>(loc, positive, x, scaled);
}

/// relu6(x + 3) / 6.
Value hardSigmoid(OpBuilder &b, Location loc, Value x) {
  Value shifted = b.create<arith::AddFOp>(loc, x, constantLike(b, loc, x, 3));
  return b.create<arith::DivFOp>(loc, clamp(b, loc, shifted, 0, 6),
                                 constantLike(b, loc, x, 6));
}

/// A unary op lowered through its scalar formula (buildElementFormula).
template <typename OpTy> struct UnaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    bool built = true;
    Value result =
        elementwise(rewriter, op.getLoc(), op.getType(), op.getInput(), {},
                    [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                      FailureOr<Value> value = buildElementFormula(
                          b, loc, op, args[0], ValueRange{});
                      if (succeeded(value))
                        return *value;
                      built = false;
                      return args[0];
                    });
    if (!built)
      return rewriter.notifyMatchFailure(op, "no element formula");
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy, typename ScalarOp>
struct BroadcastBinaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    MLIRContext *context = op.getContext();
    AffineMap maps[] = {broadcastMap(context, op.getLhs().getType().getShape(),
                                     type.getShape()),
                        broadcastMap(context, op.getRhs().getType().getShape(),
                                     type.getShape())};
    Value result = elementwise(
        rewriter, op.getLoc(), type, ValueRange{op.getLhs(), op.getRhs()}, maps,
        [](OpBuilder &b, Location loc, ValueRange args) {
          return b.create<ScalarOp>(loc, args[0], args[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PReluLowering : OpRewritePattern<cnn::PReluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::PReluOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    AffineMap maps[] = {
        rewriter.getMultiDimIdentityMap(rank),
        preluSlopeMap(op.getContext(), op.getSlope().getType(), rank)};
    Value result = elementwise(
        rewriter, op.getLoc(), type, ValueRange{op.getInput(), op.getSlope()},
        maps, [&](OpBuilder &b, Location loc, ValueRange args) {
          // The formula of prelu with one slope: it cannot fail.
          return *buildElementFormula(b, loc, op, args[0], args.drop_front());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormLowering : OpRewritePattern<cnn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<Value> inputs = {op.getInput(), op.getMean(), op.getVariance()};
    bool hasScale = static_cast<bool>(op.getScale());
    bool hasShift = static_cast<bool>(op.getShift());
    if (hasScale)
      inputs.push_back(op.getScale());
    if (hasShift)
      inputs.push_back(op.getShift());
    AffineMap channel =
        AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1), op.getContext());
    SmallVector<AffineMap> maps(inputs.size(), channel);
    maps[0] = rewriter.getMultiDimIdentityMap(rank);
    // (x - mean) / sqrt(var + eps) * scale + shift, in PyTorch's order.
    Value result = elementwise(
        rewriter, op.getLoc(), type, inputs, maps,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value centered = b.create<arith::SubFOp>(loc, args[0], args[1]);
          Value variance = b.create<arith::AddFOp>(
              loc, args[2], constantLike(b, loc, args[2], epsilon));
          Value normalized = b.create<arith::DivFOp>(
              loc, centered, b.create<math::SqrtOp>(loc, variance));
          unsigned next = 3;
          if (hasScale)
            normalized = b.create<arith::MulFOp>(loc, normalized, args[next++]);
          if (hasShift)
            normalized = b.create<arith::AddFOp>(loc, normalized, args[next]);
          return normalized;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct WeightLowering : OpRewritePattern<cnn::WeightOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::WeightOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<ElementsAttr> value = op.getValue();
    if (!value) // Reported by the pass before the conversion.
      return rewriter.notifyMatchFailure(op, "parameter without a value");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(),
                                                   cast<TypedAttr>(*value));
    return success();
  }
};

} // namespace

FailureOr<Value> cnnc::lowering::buildElementFormula(OpBuilder &b, Location loc,
                                                     Operation *op, Value x,
                                                     ValueRange others) {
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case([&](cnn::ReluOp) -> Value {
        return b.create<arith::MaximumFOp>(loc, x, constantLike(b, loc, x, 0));
      })
      .Case([&](cnn::Relu6Op) { return clamp(b, loc, x, 0, 6); })
      .Case([&](cnn::ClipOp clip) {
        return clamp(b, loc, x, clip.getMin().convertToDouble(),
                     clip.getMax().convertToDouble());
      })
      .Case([&](cnn::LeakyReluOp leaky) {
        return scaleNegative(b, loc, x, [&] {
          return constantLike(b, loc, x,
                              leaky.getNegativeSlope().convertToDouble());
        });
      })
      .Case([&](cnn::SigmoidOp) { return sigmoid(b, loc, x); })
      .Case([&](cnn::HardSigmoidOp) { return hardSigmoid(b, loc, x); })
      .Case([&](cnn::HardSwishOp) -> Value {
        return b.create<arith::MulFOp>(loc, x, hardSigmoid(b, loc, x));
      })
      .Case([&](cnn::SiluOp) -> Value {
        return b.create<arith::MulFOp>(loc, x, sigmoid(b, loc, x));
      })
      .Case(
          [&](cnn::TanhOp) -> Value { return b.create<math::TanhOp>(loc, x); })
      .Case([&](cnn::PReluOp) -> FailureOr<Value> {
        if (others.size() != 1)
          return failure();
        return scaleNegative(b, loc, x, [&] { return others[0]; });
      })
      .Case([&](cnn::AddOp) -> FailureOr<Value> {
        if (others.size() != 1)
          return failure();
        return b.create<arith::AddFOp>(loc, x, others[0]).getResult();
      })
      .Case([&](cnn::MulOp) -> FailureOr<Value> {
        if (others.size() != 1)
          return failure();
        return b.create<arith::MulFOp>(loc, x, others[0]).getResult();
      })
      .Case([&](cnn::SubOp) -> FailureOr<Value> {
        if (others.size() != 1)
          return failure();
        return b.create<arith::SubFOp>(loc, x, others[0]).getResult();
      })
      .Case([&](cnn::DivOp) -> FailureOr<Value> {
        if (others.size() != 1)
          return failure();
        return b.create<arith::DivFOp>(loc, x, others[0]).getResult();
      })
      .Default([](Operation *) { return failure(); });
}

void cnnc::lowering::populateElementwiseLoweringPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<UnaryLowering<cnn::ReluOp>, UnaryLowering<cnn::Relu6Op>,
               UnaryLowering<cnn::ClipOp>, UnaryLowering<cnn::LeakyReluOp>,
               UnaryLowering<cnn::SigmoidOp>, UnaryLowering<cnn::HardSigmoidOp>,
               UnaryLowering<cnn::HardSwishOp>, UnaryLowering<cnn::SiluOp>,
               UnaryLowering<cnn::TanhOp>>(context);
  patterns.add<BroadcastBinaryLowering<cnn::AddOp, arith::AddFOp>,
               BroadcastBinaryLowering<cnn::MulOp, arith::MulFOp>,
               BroadcastBinaryLowering<cnn::SubOp, arith::SubFOp>,
               BroadcastBinaryLowering<cnn::DivOp, arith::DivFOp>,
               PReluLowering, BatchNormLowering, WeightLowering>(context);
}

//===- FoldConstants.cpp - evaluate ops on parameters at compile time -----===//
//
// An op whose every operand is a cnn.weight with values computes the same
// result on every run: evaluate it once here and keep the result as a new
// weight. Element-wise activations, broadcasting add and mul, reshapes and
// channel moves are evaluated (in double precision, rounded to the element
// type, as the batch-norm folding does); convolutions, pooling and dense
// layers on constants are left to run.
//
//===----------------------------------------------------------------------===//

#include "WeightValues.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace cnnc {
#define GEN_PASS_DEF_CNNFOLDCONSTANTS
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

using Values = std::vector<double>;

double relu6(double x) { return std::min(std::max(x, 0.0), 6.0); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// Applies `f` to every value.
template <typename F> Values map(const Values &in, F f) {
  Values out(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    out[i] = f(in[i]);
  return out;
}

/// NumPy broadcasting of two operands to `result`'s shape.
Values broadcast(const Values &lhs, ArrayRef<int64_t> lhsShape,
                 const Values &rhs, ArrayRef<int64_t> rhsShape,
                 ArrayRef<int64_t> shape, double (*f)(double, double)) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  Values out(count);
  auto offset = [&](ArrayRef<int64_t> operand, ArrayRef<int64_t> index) {
    // Dimensions align from the right; size-1 dimensions repeat.
    int64_t linear = 0;
    size_t skip = shape.size() - operand.size();
    for (size_t d = 0; d < operand.size(); ++d)
      linear = linear * operand[d] + (operand[d] == 1 ? 0 : index[skip + d]);
    return linear;
  };
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    out[i] = f(lhs[offset(lhsShape, index)], rhs[offset(rhsShape, index)]);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Channel moves on [N, C, inner...] tensors: output channel c of batch n is
/// input channel `source(c)` of the same batch.
Values moveChannels(const Values &in, ArrayRef<int64_t> inShape,
                    ArrayRef<int64_t> outShape,
                    function_ref<int64_t(int64_t)> source) {
  int64_t batch = outShape[0], channels = outShape[1], inChannels = inShape[1];
  int64_t inner = 1;
  for (int64_t size : outShape.drop_front(2))
    inner *= size;
  Values out(batch * channels * inner);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      std::copy_n(in.begin() + (n * inChannels + source(c)) * inner, inner,
                  out.begin() + (n * channels + c) * inner);
  return out;
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// The result of `op` on constant operands, or std::nullopt for ops that are
/// not evaluated here.
std::optional<Values> evaluate(Operation *op, ArrayRef<Values> operands) {
  auto unary = [&](auto f) -> std::optional<Values> {
    return map(operands[0], f);
  };
  return TypeSwitch<Operation *, std::optional<Values>>(op)
      .Case([&](ReluOp) {
        return unary([](double x) { return std::max(x, 0.0); });
      })
      .Case([&](Relu6Op) { return unary(relu6); })
      .Case([&](SigmoidOp) { return unary(sigmoid); })
      .Case([&](HardSigmoidOp) {
        return unary([](double x) { return relu6(x + 3) / 6; });
      })
      .Case([&](HardSwishOp) {
        return unary([](double x) { return x * relu6(x + 3) / 6; });
      })
      .Case([&](SiluOp) {
        return unary([](double x) { return x * sigmoid(x); });
      })
      .Case(
          [&](TanhOp) { return unary([](double x) { return std::tanh(x); }); })
      .Case([&](ClipOp clip) {
        double low = clip.getMin().convertToDouble(),
               high = clip.getMax().convertToDouble();
        return unary(
            [=](double x) { return std::min(std::max(x, low), high); });
      })
      .Case([&](LeakyReluOp leaky) {
        double slope = leaky.getNegativeSlope().convertToDouble();
        return unary([=](double x) { return x >= 0 ? x : slope * x; });
      })
      .Case([&](AddOp add) -> std::optional<Values> {
        return broadcast(operands[0], shapeOf(add.getLhs()), operands[1],
                         shapeOf(add.getRhs()), shapeOf(add.getResult()),
                         [](double a, double b) { return a + b; });
      })
      .Case([&](MulOp mul) -> std::optional<Values> {
        return broadcast(operands[0], shapeOf(mul.getLhs()), operands[1],
                         shapeOf(mul.getRhs()), shapeOf(mul.getResult()),
                         [](double a, double b) { return a * b; });
      })
      // Row-major data does not move when only the shape changes.
      .Case<ReshapeOp, FlattenOp>(
          [&](Operation *) -> std::optional<Values> { return operands[0]; })
      .Case([&](ChannelShuffleOp shuffle) -> std::optional<Values> {
        int64_t groups = shuffle.getGroups();
        int64_t perGroup = shapeOf(shuffle.getInput())[1] / groups;
        return moveChannels(operands[0], shapeOf(shuffle.getInput()),
                            shapeOf(shuffle.getResult()), [&](int64_t c) {
                              return (c % groups) * perGroup + c / groups;
                            });
      })
      .Case([&](SliceOp slice) -> std::optional<Values> {
        int64_t offset = slice.getOffset();
        return moveChannels(operands[0], shapeOf(slice.getInput()),
                            shapeOf(slice.getResult()),
                            [&](int64_t c) { return offset + c; });
      })
      .Case([&](ConcatOp concat) -> std::optional<Values> {
        if (concat.getInterleave() && concat.getInputs().size() > 1)
          return std::nullopt;
        // Batch by batch, each operand's channels in turn.
        ArrayRef<int64_t> shape = shapeOf(concat.getResult());
        int64_t inner = 1;
        for (int64_t size : shape.drop_front(2))
          inner *= size;
        Values out;
        for (int64_t n = 0; n < shape[0]; ++n)
          for (auto [input, values] : llvm::zip(concat.getInputs(), operands)) {
            int64_t block = shapeOf(input)[1] * inner;
            out.insert(out.end(), values.begin() + n * block,
                       values.begin() + (n + 1) * block);
          }
        return out;
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// A readable name for a folded parameter: the op applied to its operands'
/// names, cut short.
std::string foldedName(Operation *op) {
  std::string name = op->getName().stripDialect().str() + "(";
  for (auto [index, operand] : llvm::enumerate(op->getOperands()))
    name +=
        (index ? ", " : "") + operand.getDefiningOp<WeightOp>().getName().str();
  name += ")";
  if (name.size() > 200)
    name = name.substr(0, 197) + "...";
  return name;
}

struct FoldConstantOp : RewritePattern {
  FoldConstantOp(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (isa<WeightOp>(op) || !isa<CNNDialect>(op->getDialect()) ||
        op->getNumResults() != 1 || op->getNumOperands() == 0)
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !(type.getElementType().isF32() || type.getElementType().isF64()))
      return failure();
    std::vector<Values> operands;
    for (Value operand : op->getOperands()) {
      std::optional<Values> values = cnnc::readWeight(operand);
      if (!values)
        return rewriter.notifyMatchFailure(op, "an operand is not constant");
      operands.push_back(std::move(*values));
    }
    std::optional<Values> result = evaluate(op, operands);
    if (!result ||
        static_cast<int64_t>(result->size()) != type.getNumElements())
      return rewriter.notifyMatchFailure(op, "not evaluated at compile time");
    rewriter.replaceOp(op, cnnc::makeWeight(rewriter, op->getLoc(),
                                            foldedName(op), type, *result));
    return success();
  }
};

struct CNNFoldConstants : cnnc::impl::CNNFoldConstantsBase<CNNFoldConstants> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConstantOp>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

//===- LowerPooling.cpp - max_pool2d and avg_pool2d to linalg -------------===//
//
// The input is padded (with -inf for max, zeros for average) on top of its
// own padding by whatever ceil mode's last window needs past the bottom or
// right edge, then reduced by linalg.pooling_nchw_max / _sum. Average pooling
// then divides each output by PyTorch's divisor, which depends on the window's
// position (how much of it lies in the padding).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"

#include <limits>

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// Extra elements past the trailing padding that the last window reads.
int64_t overhang(int64_t input, int64_t padBefore, int64_t padAfter,
                 int64_t output, int64_t kernel, int64_t stride,
                 int64_t dilation) {
  int64_t needed = (output - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max<int64_t>(0, needed - (input + padBefore + padAfter));
}

/// Pads an NCHW input for pooling and returns it with the pooling op's
/// window operand.
std::pair<Value, Value>
poolingOperands(OpBuilder &b, Location loc, Value input,
                RankedTensorType output, ArrayRef<int64_t> kernel,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> pad,
                ArrayRef<int64_t> dilations, double padValue) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t extraBottom =
      overhang(type.getDimSize(2), pad[0], pad[2], output.getDimSize(2),
               kernel[0], strides[0], dilations[0]);
  int64_t extraRight =
      overhang(type.getDimSize(3), pad[1], pad[3], output.getDimSize(3),
               kernel[1], strides[1], dilations[1]);
  Value padded = padSpatial(b, loc, input, pad[0], pad[1], pad[2] + extraBottom,
                            pad[3] + extraRight, padValue);
  Value window = b.create<tensor::EmptyOp>(loc, kernel, type.getElementType());
  return {padded, window};
}

SmallVector<NamedAttribute> windowAttributes(OpBuilder &b,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations) {
  return {b.getNamedAttr("strides", b.getI64TensorAttr(strides)),
          b.getNamedAttr("dilations", b.getI64TensorAttr(dilations))};
}

struct MaxPool2DLowering : OpRewritePattern<cnn::MaxPool2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::MaxPool2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    double lowest = -std::numeric_limits<double>::infinity();
    auto [padded, window] = poolingOperands(
        rewriter, loc, op.getInput(), type, op.getKernelSize(), op.getStrides(),
        op.getPadding(), op.getDilations(), lowest);
    Value init = filledTensor(rewriter, loc, type, lowest);
    rewriter.replaceOpWithNewOp<linalg::PoolingNchwMaxOp>(
        op, TypeRange{type}, ValueRange{padded, window}, ValueRange{init},
        windowAttributes(rewriter, op.getStrides(), op.getDilations()));
    return success();
  }
};

struct AvgPool2DLowering : OpRewritePattern<cnn::AvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::AvgPool2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    RankedTensorType inputType = op.getInput().getType();
    ArrayRef<int64_t> kernel = op.getKernelSize();
    ArrayRef<int64_t> strides = op.getStrides();
    ArrayRef<int64_t> pad = op.getPadding();
    int64_t noDilation[] = {1, 1};
    auto [padded, window] =
        poolingOperands(rewriter, loc, op.getInput(), type, kernel, strides,
                        pad, noDilation, 0.0);
    Value init = filledTensor(rewriter, loc, type, 0.0);
    Value sums = rewriter
                     .create<linalg::PoolingNchwSumOp>(
                         loc, TypeRange{type}, ValueRange{padded, window},
                         ValueRange{init},
                         windowAttributes(rewriter, strides, noDilation))
                     .getResult(0);

    // PyTorch's divisor (AvgPoolKernel.cpp): the window clipped to the
    // padded input when padding counts, or to the input when it does not.
    std::optional<uint64_t> divisorOverride = op.getDivisorOverride();
    bool countPadding = op.getCountIncludePad();
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    Value result = elementwise(
        rewriter, loc, type, sums, {},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type f = args[0].getType();
          if (divisorOverride)
            return b.create<arith::DivFOp>(
                l, args[0],
                floatConstant(b, l, f,
                              static_cast<double>(
                                  static_cast<int64_t>(*divisorOverride))));
          Type i64 = b.getI64Type();
          auto constant = [&](int64_t v) {
            return b.create<arith::ConstantIntOp>(l, v, i64).getResult();
          };
          // The window's extent along one axis, from the output index.
          auto extent = [&](unsigned dim, int64_t size, int64_t stride,
                            int64_t k, int64_t before, int64_t after) -> Value {
            Value index = b.create<arith::IndexCastOp>(
                l, i64, b.create<linalg::IndexOp>(l, dim));
            Value start = b.create<arith::SubIOp>(
                l, b.create<arith::MulIOp>(l, index, constant(stride)),
                constant(before));
            Value end = b.create<arith::MinSIOp>(
                l, b.create<arith::AddIOp>(l, start, constant(k)),
                constant(size + after));
            if (!countPadding) {
              start = b.create<arith::MaxSIOp>(l, start, constant(0));
              end = b.create<arith::MinSIOp>(l, end, constant(size));
            }
            return b.create<arith::SubIOp>(l, end, start);
          };
          Value count = b.create<arith::MulIOp>(
              l, extent(2, height, strides[0], kernel[0], pad[0], pad[2]),
              extent(3, width, strides[1], kernel[1], pad[1], pad[3]));
          return b.create<arith::DivFOp>(
              l, args[0], b.create<arith::SIToFPOp>(l, f, count));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void cnnc::lowering::populatePoolingLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MaxPool2DLowering, AvgPool2DLowering>(patterns.getContext());
}

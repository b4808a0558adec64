//===- LowerConvolution.cpp - conv2d and deform_conv2d to linalg ----------===//
//
// conv2d: the input is zero-padded (padding may be asymmetric), the output
// starts as the broadcast bias (or zero), and the convolution accumulates
// into it: linalg.conv_2d_nchw_fchw for one group,
// linalg.depthwise_conv_2d_nchw_chw for depthwise with channel multiplier 1,
// otherwise a linalg.generic
// over [N, G, O/G, Ho, Wo] x [C/G, KH, KW] on grouped views of the tensors.
// deform_conv2d: the input sampled bilinearly at each tap's offset position
// (torchvision's bilinear_interpolate) into columns, then a 1x1 convolution.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// The initial accumulator: the bias broadcast to the output, or zeros.
Value initialAccumulator(OpBuilder &b, Location loc, RankedTensorType type,
                         Value bias) {
  return bias ? broadcastAlong(b, loc, bias, type, 1)
              : filledTensor(b, loc, type, 0.0);
}

/// [A, B*C, ...] <-> [A, B, C, ...] views that split dimension `dim`.
SmallVector<ReassociationIndices> splitDim(int64_t rank, int64_t dim) {
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, next = 0; i < rank; ++i) {
    if (i == dim) {
      reassociation.push_back({next, next + 1});
      next += 2;
    } else {
      reassociation.push_back({next++});
    }
  }
  return reassociation;
}

Value splitView(OpBuilder &b, Location loc, Value value, int64_t dim,
                int64_t outer) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i == dim) {
      shape.push_back(outer);
      shape.push_back(type.getDimSize(i) / outer);
    } else {
      shape.push_back(type.getDimSize(i));
    }
  }
  return b.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), value,
      splitDim(type.getRank(), dim));
}

struct Conv2DLowering : OpRewritePattern<cnn::Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> pad = op.getPadding();
    ArrayRef<int64_t> strides = op.getStrides();
    ArrayRef<int64_t> dilations = op.getDilations();
    int64_t groups = op.getNumGroups();

    Value input = padSpatial(rewriter, loc, op.getInput(), pad[0], pad[1],
                             pad[2], pad[3], 0.0);
    Value init = initialAccumulator(rewriter, loc, type, op.getBias());

    if (groups == 1) {
      rewriter.replaceOpWithNewOp<linalg::Conv2DNchwFchwOp>(
          op, TypeRange{type}, ValueRange{input, op.getFilter()},
          ValueRange{init}, rewriter.getI64TensorAttr(strides),
          rewriter.getI64TensorAttr(dilations));
      return success();
    }

    RankedTensorType filterType = op.getFilter().getType();
    if (groups == filterType.getDimSize(0) && filterType.getDimSize(1) == 1) {
      // Depthwise with channel multiplier 1: filter [C, 1, KH, KW] as
      // [C, KH, KW].
      Value filter = rewriter.create<tensor::CollapseShapeOp>(
          loc, op.getFilter(),
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
      rewriter.replaceOpWithNewOp<linalg::DepthwiseConv2DNchwChwOp>(
          op, TypeRange{type}, ValueRange{input, filter}, ValueRange{init},
          rewriter.getI64TensorAttr(strides),
          rewriter.getI64TensorAttr(dilations));
      return success();
    }

    // Grouped views: input [N, G, C/G, H, W], filter [G, O/G, C/G, KH, KW],
    // output [N, G, O/G, Ho, Wo].
    Value groupedInput = splitView(rewriter, loc, input, 1, groups);
    Value groupedFilter = splitView(rewriter, loc, op.getFilter(), 0, groups);
    Value groupedInit = splitView(rewriter, loc, init, 1, groups);
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    // Loops: n g o oh ow | c kh kw.
    AffineExpr n = d(0), g = d(1), o = d(2), oh = d(3), ow = d(4), c = d(5),
               kh = d(6), kw = d(7);
    AffineMap maps[] = {
        AffineMap::get(8, 0,
                       {n, g, c, oh * strides[0] + kh * dilations[0],
                        ow * strides[1] + kw * dilations[1]},
                       context),
        AffineMap::get(8, 0, {g, o, c, kh, kw}, context),
        AffineMap::get(8, 0, {n, g, o, oh, ow}, context)};
    Value grouped =
        rewriter
            .create<linalg::GenericOp>(
                loc, TypeRange{groupedInit.getType()},
                ValueRange{groupedInput, groupedFilter},
                ValueRange{groupedInit}, maps, iterators(5, 3),
                [](OpBuilder &b, Location l, ValueRange args) {
                  Value product = b.create<arith::MulFOp>(l, args[0], args[1]);
                  b.create<linalg::YieldOp>(
                      l,
                      ValueRange{b.create<arith::AddFOp>(l, args[2], product)});
                })
            .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, grouped, splitDim(type.getRank(), 1));
    return success();
  }
};

/// torchvision's bilinear_interpolate: the image value at (y, x), read from
/// the up to four neighbouring pixels that lie inside, zero far outside.
Value bilinearSample(OpBuilder &b, Location loc, Value image, Value n,
                     Value channel, Value y, Value x, int64_t height,
                     int64_t width) {
  Type f = y.getType();
  auto constant = [&](double v) { return floatConstant(b, loc, f, v); };
  auto indexConstant = [&](int64_t v) {
    return b.create<arith::ConstantIndexOp>(loc, v);
  };
  auto cmp = [&](arith::CmpFPredicate predicate, Value lhs, Value rhs) {
    return b.create<arith::CmpFOp>(loc, predicate, lhs, rhs);
  };
  Value outside = b.create<arith::OrIOp>(
      loc,
      b.create<arith::OrIOp>(loc,
                             cmp(arith::CmpFPredicate::OLE, y, constant(-1)),
                             cmp(arith::CmpFPredicate::OGE, y,
                                 constant(static_cast<double>(height)))),
      b.create<arith::OrIOp>(loc,
                             cmp(arith::CmpFPredicate::OLE, x, constant(-1)),
                             cmp(arith::CmpFPredicate::OGE, x,
                                 constant(static_cast<double>(width)))));
  // Indices are computed from coordinates clamped into [-1, size] (maxnumf
  // and minnumf also map NaN into that range), so that the conversions to
  // integers are always defined; the weights use the real coordinates.
  auto clampCoordinate = [&](Value v, int64_t size) {
    Value low = b.create<arith::MaxNumFOp>(loc, v, constant(-1));
    return b.create<arith::MinNumFOp>(loc, low,
                                      constant(static_cast<double>(size)));
  };
  Value yLowF = b.create<math::FloorOp>(loc, clampCoordinate(y, height));
  Value xLowF = b.create<math::FloorOp>(loc, clampCoordinate(x, width));
  Value ly = b.create<arith::SubFOp>(loc, y, b.create<math::FloorOp>(loc, y));
  Value lx = b.create<arith::SubFOp>(loc, x, b.create<math::FloorOp>(loc, x));
  Value hy = b.create<arith::SubFOp>(loc, constant(1), ly);
  Value hx = b.create<arith::SubFOp>(loc, constant(1), lx);
  Type i64 = b.getI64Type();
  Value yLow = b.create<arith::FPToSIOp>(loc, i64, yLowF);
  Value xLow = b.create<arith::FPToSIOp>(loc, i64, xLowF);
  Value one = b.create<arith::ConstantIntOp>(loc, 1, i64);
  Value yHigh = b.create<arith::AddIOp>(loc, yLow, one);
  Value xHigh = b.create<arith::AddIOp>(loc, xLow, one);

  Value zero = constant(0);
  auto pixel = [&](Value row, Value column) -> Value {
    // Inside the image: read it; else zero. The read index is clamped so
    // that it is always in bounds, whichever value is selected.
    auto inRange = [&](Value v, int64_t size) {
      Value lowOk =
          b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, v,
                                  b.create<arith::ConstantIntOp>(loc, 0, i64));
      Value highOk = b.create<arith::CmpIOp>(
          loc, arith::CmpIPredicate::slt, v,
          b.create<arith::ConstantIntOp>(loc, size, i64));
      return b.create<arith::AndIOp>(loc, lowOk, highOk);
    };
    auto clampIndex = [&](Value v, int64_t size) -> Value {
      Value low = b.create<arith::MaxSIOp>(
          loc, v, b.create<arith::ConstantIntOp>(loc, 0, i64));
      Value high = b.create<arith::MinSIOp>(
          loc, low, b.create<arith::ConstantIntOp>(loc, size - 1, i64));
      return b.create<arith::IndexCastOp>(loc, b.getIndexType(), high);
    };
    Value valid = b.create<arith::AndIOp>(loc, inRange(row, height),
                                          inRange(column, width));
    Value value = b.create<tensor::ExtractOp>(
        loc, image,
        ValueRange{n, channel, clampIndex(row, height),
                   clampIndex(column, width)});
    return b.create<arith::SelectOp>(loc, valid, value, zero);
  };
  auto weighted = [&](Value w1, Value w2, Value v) -> Value {
    return b.create<arith::MulFOp>(loc, b.create<arith::MulFOp>(loc, w1, w2),
                                   v);
  };
  Value sum = weighted(hy, hx, pixel(yLow, xLow));
  sum = b.create<arith::AddFOp>(loc, sum, weighted(hy, lx, pixel(yLow, xHigh)));
  sum = b.create<arith::AddFOp>(loc, sum, weighted(ly, hx, pixel(yHigh, xLow)));
  sum =
      b.create<arith::AddFOp>(loc, sum, weighted(ly, lx, pixel(yHigh, xHigh)));
  (void)indexConstant;
  return b.create<arith::SelectOp>(loc, outside, zero, sum);
}

/// deform_conv2d in two steps: the input sampled at every tap's offset
/// position (scaled by the mask), as columns [N, C * KH * KW, Ho, Wo]; then a
/// grouped 1x1 convolution of the columns with the filter seen as
/// [O, C / groups * KH * KW, 1, 1]. Each sample is computed once, not once
/// per output channel, and the product is an ordinary (vectorized)
/// convolution.
struct DeformConv2DLowering : OpRewritePattern<cnn::DeformConv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DeformConv2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    RankedTensorType inputType = op.getInput().getType();
    RankedTensorType filterType = op.getFilter().getType();
    ArrayRef<int64_t> pad = op.getPadding();
    ArrayRef<int64_t> strides = op.getStrides();
    ArrayRef<int64_t> dilations = op.getDilations();
    int64_t groups = static_cast<int64_t>(op.getGroups());
    int64_t offsetGroups = static_cast<int64_t>(op.getOffsetGroups());
    int64_t batch = inputType.getDimSize(0);
    int64_t channels = inputType.getDimSize(1);
    int64_t channelsPerOffsetGroup = channels / offsetGroups;
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    int64_t kernelH = filterType.getDimSize(2),
            kernelW = filterType.getDimSize(3);
    int64_t taps = kernelH * kernelW;
    int64_t outHeight = type.getDimSize(2), outWidth = type.getDimSize(3);
    Type element = type.getElementType();

    // Columns: loops n c kh kw oh ow, all parallel.
    auto samplesType = RankedTensorType::get(
        {batch, channels, kernelH, kernelW, outHeight, outWidth}, element);
    Value empty =
        rewriter.create<tensor::EmptyOp>(loc, samplesType.getShape(), element);
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(6, rewriter.getContext());
    Value image = op.getInput(), offsets = op.getOffset(), mask = op.getMask();
    Value samples =
        rewriter
            .create<linalg::GenericOp>(
                loc, TypeRange{samplesType}, ValueRange{}, ValueRange{empty},
                ArrayRef<AffineMap>{identity}, iterators(6, 0),
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Type f = args[0].getType();
                  auto index = [&](int64_t dim) {
                    return b.create<linalg::IndexOp>(l, dim).getResult();
                  };
                  auto c = [&](int64_t v) {
                    return b.create<arith::ConstantIndexOp>(l, v).getResult();
                  };
                  auto mul = [&](Value a, Value v) {
                    return b.create<arith::MulIOp>(l, a, v).getResult();
                  };
                  auto add = [&](Value a, Value v) {
                    return b.create<arith::AddIOp>(l, a, v).getResult();
                  };
                  Value n = index(0), channel = index(1), kh = index(2),
                        kw = index(3), oh = index(4), ow = index(5);
                  Value offsetGroup = b.create<arith::DivUIOp>(
                      l, channel, c(channelsPerOffsetGroup));
                  Value tap = add(mul(kh, c(kernelW)), kw);
                  Value yChannel =
                      add(mul(offsetGroup, c(2 * taps)), mul(tap, c(2)));
                  Value xChannel = add(yChannel, c(1));
                  Value dy = b.create<tensor::ExtractOp>(
                      l, offsets, ValueRange{n, yChannel, oh, ow});
                  Value dx = b.create<tensor::ExtractOp>(
                      l, offsets, ValueRange{n, xChannel, oh, ow});
                  // Base position: oh * stride - pad_top + kh * dilation.
                  auto base = [&](Value out, Value k, int64_t stride,
                                  int64_t dilation, int64_t padding) {
                    Value position =
                        add(mul(out, c(stride)), mul(k, c(dilation)));
                    Value asInt = b.create<arith::IndexCastOp>(
                        l, b.getI64Type(), position);
                    Value asFloat = b.create<arith::SIToFPOp>(l, f, asInt);
                    return b
                        .create<arith::SubFOp>(
                            l, asFloat,
                            floatConstant(b, l, f,
                                          static_cast<double>(padding)))
                        .getResult();
                  };
                  Value y = b.create<arith::AddFOp>(
                      l, base(oh, kh, strides[0], dilations[0], pad[0]), dy);
                  Value x = b.create<arith::AddFOp>(
                      l, base(ow, kw, strides[1], dilations[1], pad[1]), dx);
                  Value sample = bilinearSample(b, l, image, n, channel, y, x,
                                                height, width);
                  if (mask) {
                    Value maskChannel = add(mul(offsetGroup, c(taps)), tap);
                    Value scale = b.create<tensor::ExtractOp>(
                        l, mask, ValueRange{n, maskChannel, oh, ow});
                    sample = b.create<arith::MulFOp>(l, sample, scale);
                  }
                  b.create<linalg::YieldOp>(l, ValueRange{sample});
                })
            .getResult(0);
    auto columnsType = RankedTensorType::get(
        {batch, channels * taps, outHeight, outWidth}, element);
    Value columns = rewriter.create<tensor::CollapseShapeOp>(
        loc, columnsType, samples,
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4}, {5}});
    // The filter [O, C/G, KH, KW] as [O, C/G * KH * KW, 1, 1]: the same
    // order as the columns of one group.
    int64_t outChannels = filterType.getDimSize(0);
    int64_t perGroup = filterType.getDimSize(1) * taps;
    Value flatFilter = rewriter.create<tensor::CollapseShapeOp>(
        loc, RankedTensorType::get({outChannels, perGroup}, element),
        op.getFilter(), SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    Value pointwiseFilter = rewriter.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({outChannels, perGroup, 1, 1}, element),
        flatFilter, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    rewriter.replaceOpWithNewOp<cnn::Conv2DOp>(
        op, type, columns, pointwiseFilter, op.getBias(),
        rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}),
        rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getI64IntegerAttr(groups));
    return success();
  }
};

} // namespace

void cnnc::lowering::populateConvolutionLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, DeformConv2DLowering>(patterns.getContext());
}

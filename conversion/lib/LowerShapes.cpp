//===- LowerShapes.cpp - channels, reshapes, dense, softmax, global pool --===//
//
// Data movement becomes tensor ops (slices, inserts, reshapes) and a
// linalg.transpose for the channel shuffle; the dense layer is a
// linalg.matmul_transpose_b (PyTorch's [out, in] weight needs no transpose);
// softmax and the global average pool are reductions in linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace cnnc::lowering;
namespace cnn = cnnc::cnn;

namespace {

/// Offsets, sizes and unit strides selecting channels [offset, offset+size).
void channelRange(OpBuilder &b, RankedTensorType type, int64_t offset,
                  int64_t size, SmallVectorImpl<OpFoldResult> &offsets,
                  SmallVectorImpl<OpFoldResult> &sizes,
                  SmallVectorImpl<OpFoldResult> &strides) {
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    offsets.push_back(b.getIndexAttr(dim == 1 ? offset : 0));
    sizes.push_back(b.getIndexAttr(dim == 1 ? size : type.getDimSize(dim)));
    strides.push_back(b.getIndexAttr(1));
  }
}

struct ConcatLowering : OpRewritePattern<cnn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value result = emptyTensor(rewriter, op.getLoc(), type);
    int64_t offset = 0;
    int64_t count = static_cast<int64_t>(op.getInputs().size());
    for (auto [index, input] : llvm::enumerate(op.getInputs())) {
      int64_t channels = cast<RankedTensorType>(input.getType()).getDimSize(1);
      SmallVector<OpFoldResult> offsets, sizes, strides;
      channelRange(rewriter, type, offset, channels, offsets, sizes, strides);
      if (op.getInterleave()) {
        // Input i owns channels i, i + k, i + 2k, ...: a strided slice.
        offsets[1] = rewriter.getIndexAttr(static_cast<int64_t>(index));
        strides[1] = rewriter.getIndexAttr(count);
      }
      result = rewriter.create<tensor::InsertSliceOp>(
          op.getLoc(), input, result, offsets, sizes, strides);
      offset += channels;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpRewritePattern<cnn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::SliceOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    channelRange(rewriter, op.getInput().getType(),
                 static_cast<int64_t>(op.getOffset()),
                 static_cast<int64_t>(op.getSize()), offsets, sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), op.getInput(), offsets, sizes, strides);
    return success();
  }
};

/// [N, C, ...] -> [N, g, C/g, ...] -> transpose(1, 2) -> [N, C/g, g, ...]
/// -> [N, C, ...].
struct ChannelShuffleLowering : OpRewritePattern<cnn::ChannelShuffleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::ChannelShuffleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t groups = static_cast<int64_t>(op.getGroups());
    int64_t channels = type.getDimSize(1);
    ArrayRef<int64_t> shape = type.getShape();

    SmallVector<int64_t> split = {shape[0], groups, channels / groups};
    llvm::append_range(split, shape.drop_front(2));
    SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2}};
    for (int64_t dim = 2; dim < type.getRank(); ++dim)
      reassociation.push_back({dim + 1});
    Value expanded = rewriter.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get(split, type.getElementType()), op.getInput(),
        reassociation);

    SmallVector<int64_t> permutation = {0, 2, 1};
    for (int64_t dim = 3; dim <= type.getRank(); ++dim)
      permutation.push_back(dim);
    SmallVector<int64_t> transposedShape = {shape[0], channels / groups,
                                            groups};
    llvm::append_range(transposedShape, shape.drop_front(2));
    auto transposedType =
        RankedTensorType::get(transposedShape, type.getElementType());
    Value transposed =
        rewriter
            .create<linalg::TransposeOp>(
                loc, expanded, emptyTensor(rewriter, loc, transposedType),
                permutation)
            .getResult()[0];
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, type, transposed,
                                                         reassociation);
    return success();
  }
};

/// cnn.transpose is linalg.transpose.
struct TransposeLowering : OpRewritePattern<cnn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, rewriter
                               .create<linalg::TransposeOp>(op.getLoc(),
                                                            op.getInput(), init,
                                                            op.getPermutation())
                               .getResult()[0]);
    return success();
  }
};

template <typename OpTy> struct ReshapeLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, reshapeTensor(rewriter, op.getLoc(), op.getInput(), op.getType()));
    return success();
  }
};

struct DenseLowering : OpRewritePattern<cnn::DenseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::DenseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value init = op.getBias()
                     ? broadcastAlong(rewriter, loc, op.getBias(), type, 1)
                     : filledTensor(rewriter, loc, type, 0.0);
    rewriter.replaceOpWithNewOp<linalg::MatmulTransposeBOp>(
        op, TypeRange{type}, ValueRange{op.getInput(), op.getWeight()},
        ValueRange{init});
    return success();
  }
};

/// Reduces `input` over dimension `axis` with `combine`, starting from
/// `initial`; the result keeps the dimension with size 1.
Value reduceAxis(
    OpBuilder &b, Location loc, Value input, int64_t axis, double initial,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  unsigned rank = type.getRank();
  // Iterate over the input; the reduced dimension is last.
  SmallVector<AffineExpr> inputExprs, outputExprs;
  unsigned next = 0;
  for (unsigned dim = 0; dim < rank; ++dim) {
    if (dim == axis) {
      inputExprs.push_back(b.getAffineDimExpr(rank - 1));
      outputExprs.push_back(b.getAffineConstantExpr(0));
    } else {
      inputExprs.push_back(b.getAffineDimExpr(next));
      outputExprs.push_back(b.getAffineDimExpr(next));
      ++next;
    }
  }
  AffineMap maps[] = {AffineMap::get(rank, 0, inputExprs, b.getContext()),
                      AffineMap::get(rank, 0, outputExprs, b.getContext())};
  Value init = filledTensor(b, loc, resultType, initial);
  return b
      .create<linalg::GenericOp>(
          loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps,
          iterators(rank - 1, 1),
          [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
            nested.create<linalg::YieldOp>(
                nestedLoc, combine(nested, nestedLoc, args[1], args[0]));
          })
      .getResult(0);
}

/// exp(x - max) / sum(exp(x - max)) along the axis, as torch.softmax.
struct SoftmaxLowering : OpRewritePattern<cnn::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value input = op.getInput();
    // A scalar: softmax of one element is 1 (NaN stays NaN through x - x).
    if (type.getRank() == 0) {
      Value one =
          elementwise(rewriter, loc, type, input, {},
                      [](OpBuilder &b, Location l, ValueRange args) -> Value {
                        Value diff =
                            b.create<arith::SubFOp>(l, args[0], args[0]);
                        return b.create<math::ExpOp>(l, diff);
                      });
      rewriter.replaceOp(op, one);
      return success();
    }
    int64_t rank = type.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Value maximum = reduceAxis(
        rewriter, loc, input, axis, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
          return b.create<arith::MaximumFOp>(l, acc, x);
        });
    AffineMap keep = broadcastMap(
        op.getContext(), cast<RankedTensorType>(maximum.getType()).getShape(),
        type.getShape());
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap shiftMaps[] = {identity, keep};
    Value exps =
        elementwise(rewriter, loc, type, ValueRange{input, maximum}, shiftMaps,
                    [](OpBuilder &b, Location l, ValueRange args) -> Value {
                      return b.create<math::ExpOp>(
                          l, b.create<arith::SubFOp>(l, args[0], args[1]));
                    });
    Value sum =
        reduceAxis(rewriter, loc, exps, axis, 0.0,
                   [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
                     return b.create<arith::AddFOp>(l, acc, x);
                   });
    Value result =
        elementwise(rewriter, loc, type, ValueRange{exps, sum}, shiftMaps,
                    [](OpBuilder &b, Location l, ValueRange args) -> Value {
                      return b.create<arith::DivFOp>(l, args[0], args[1]);
                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The mean over H and W (see globalAveragePool).
struct GlobalAvgPoolLowering : OpRewritePattern<cnn::GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(cnn::GlobalAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Value zeros = filledTensor(rewriter, op.getLoc(), op.getType(), 0.0);
    rewriter.replaceOp(
        op,
        globalAveragePool(rewriter, op.getLoc(), op.getInput(), zeros).second);
    return success();
  }
};

} // namespace

void cnnc::lowering::populateShapeLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ConcatLowering, SliceLowering, ChannelShuffleLowering,
               TransposeLowering, ReshapeLowering<cnn::FlattenOp>,
               ReshapeLowering<cnn::ReshapeOp>, DenseLowering, SoftmaxLowering,
               GlobalAvgPoolLowering>(patterns.getContext());
}

std::pair<linalg::GenericOp, Value>
cnnc::lowering::globalAveragePool(OpBuilder &b, Location loc, Value input,
                                  Value zeros) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto type = cast<RankedTensorType>(zeros.getType());
  MLIRContext *context = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineExpr zero = getAffineConstantExpr(0, context);
  AffineMap maps[] = {AffineMap::get(4, 0, {d(0), d(1), d(2), d(3)}, context),
                      AffineMap::get(4, 0, {d(0), d(1), zero, zero}, context)};
  auto sum = b.create<linalg::GenericOp>(
      loc, TypeRange{type}, ValueRange{input}, ValueRange{zeros}, maps,
      iterators(2, 2), [](OpBuilder &nested, Location l, ValueRange args) {
        nested.create<linalg::YieldOp>(
            l, ValueRange{nested.create<arith::AddFOp>(l, args[1], args[0])});
      });
  double count =
      static_cast<double>(inputType.getDimSize(2) * inputType.getDimSize(3));
  Value mean = elementwise(
      b, loc, type, sum.getResult(0), {},
      [&](OpBuilder &nested, Location l, ValueRange args) -> Value {
        return nested.create<arith::DivFOp>(
            l, args[0], floatConstant(nested, l, args[0].getType(), count));
      });
  return {sum, mean};
}

//===- UseWinograd.cpp - stride-1 3x3 convolutions as Winograd ------------===//
//
// A 3x3 convolution computes each m x m output tile with 9 m^2 multiply-adds
// per pair of channels; Winograd's F(m x m, 3 x 3) computes it with
// (m + 2)^2 (2.25x fewer for m = 2, 4x fewer for m = 4) once the input
// tiles and the filters are transformed. This pass rewrites the blocked
// convolution generics of cnn-assign-layout that have the form (dense, one
// group, 3x3, stride 1, dilation 1) and pass the cost rule of the pass
// description into the three ops described there: two transforms marked
// for their vector kernels (WinogradKernels.cpp) and a grouped 1x1 blocked
// convolution that the existing register-tiled kernel runs. Each op alone
// is a correct linalg.generic, so the rewrite is right even where no
// kernel takes it over. The filter transform G g G^T runs here, at compile
// time, in double precision.
//
//===----------------------------------------------------------------------===//

#include "BlockedLayout.h"
#include "Winograd.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNUSEWINOGRAD
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// A blocked convolution that has the Winograd form.
struct Candidate {
  linalg::GenericOp conv;
  int64_t batch, inBlocks, outBlocks, lanes, rows, columns;
};

std::optional<Candidate> matchCandidate(linalg::GenericOp conv) {
  std::optional<ConvSpec> spec = ConvSpec::of(conv);
  if (!spec || spec->form != ConvForm::Dense || spec->groupInBlocks != 0 ||
      spec->strides != std::array<int64_t, 2>{1, 1} ||
      spec->dilations != std::array<int64_t, 2>{1, 1} ||
      !conv.hasPureTensorSemantics() || conv.getNumDpsInputs() != 2 ||
      conv.getNumDpsInits() != 1 ||
      conv.getIndexingMapsArray() != spec->indexingMaps(conv.getContext()) ||
      !isMultiplyAccumulate(conv))
    return std::nullopt;
  auto input = dyn_cast<RankedTensorType>(conv.getDpsInputs()[0].getType());
  auto filter = dyn_cast<RankedTensorType>(conv.getDpsInputs()[1].getType());
  auto output = dyn_cast<RankedTensorType>(conv.getDpsInits()[0].getType());
  if (!input || !filter || !output || !input.hasStaticShape() ||
      !filter.hasStaticShape() || !output.hasStaticShape() ||
      filter.getRank() != 6 || filter.getDimSize(2) != 3 ||
      filter.getDimSize(3) != 3 || !isReadableConstant(conv.getDpsInputs()[1]))
    return std::nullopt;
  Candidate c{conv,
              output.getDimSize(0),
              input.getDimSize(1),
              output.getDimSize(1),
              output.getDimSize(4),
              output.getDimSize(2),
              output.getDimSize(3)};
  if (input.getDimSize(2) < c.rows + 2 || input.getDimSize(3) < c.columns + 2)
    return std::nullopt;
  return c;
}

/// Vector instructions per tile and block of one transform by `matrix`
/// (rows x alpha): a load per input and a store per output, and per output
/// of each of the two separable passes (over `firstPassColumns` columns,
/// then over `rows` rows) one add or multiply-add per nonzero coefficient
/// after the first.
double transformInstructions(ArrayRef<double> matrix, int64_t rows,
                             int64_t inputs, int64_t outputs,
                             int64_t firstPassColumns) {
  int64_t columns = static_cast<int64_t>(matrix.size()) / rows, ops = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t nonzero = 0;
    for (int64_t c = 0; c < columns; ++c)
      nonzero += matrix[r * columns + c] != 0.0;
    ops += nonzero - 1;
  }
  return double(ops * (firstPassColumns + rows) + inputs + outputs);
}

/// The tile m the cost rule chooses for `c`, if any (see the pass
/// description).
std::optional<int64_t> chooseTile(const Candidate &c, int64_t maxTile,
                                  int64_t minChannels, double maxRatio,
                                  double transformCost, double byteCost) {
  if (c.inBlocks * c.lanes < minChannels || c.outBlocks * c.lanes < minChannels)
    return std::nullopt;
  // The filter's bytes, read once per call (from memory, at batch 1).
  double filterBytes =
      double(c.inBlocks) * c.lanes * c.outBlocks * c.lanes * sizeof(float);
  double direct = double(c.batch) * c.rows * c.columns * 9 * c.inBlocks *
                      c.lanes * c.outBlocks +
                  byteCost * 9 * filterBytes;
  std::optional<int64_t> best;
  double bestCost = maxRatio * direct;
  for (int64_t m : {2, 4}) {
    if (m > maxTile)
      continue;
    winograd::Matrices w = winograd::matricesFor(m);
    int64_t a = w.alpha;
    double tiles = double(c.batch) * ceilDiv(c.rows, m) * ceilDiv(c.columns, m);
    double products = tiles * a * a * c.inBlocks * c.lanes * c.outBlocks;
    double in = transformInstructions(w.inputT, a, a * a, a * a, a);
    // The output transform also adds each result to its initial value and
    // applies the epilogue to it.
    double out =
        transformInstructions(w.outputT, m, a * a, 2 * m * m, a) + m * m;
    double cost =
        products +
        transformCost * tiles * (c.inBlocks * in + c.outBlocks * out) +
        byteCost * a * a * filterBytes;
    if (cost < bestCost) {
      best = m;
      bestCost = cost;
    }
  }
  return best;
}

/// The grouped 1x1 filter [alpha^2 * Ob, Cb, 1, 1, L, L] of transformed
/// filters G g G^T, from the blocked filter [Ob, Cb, 3, 3, L, L].
std::vector<float> transformFilter(ArrayRef<float> blocked, const Candidate &c,
                                   const winograd::Matrices &w) {
  int64_t a = w.alpha, L = c.lanes, cb = c.inBlocks, ob = c.outBlocks;
  std::vector<float> result(a * a * ob * cb * L * L, 0.0f);
  ArrayRef<double> g = w.filter;
  for (int64_t o = 0; o < ob; ++o)
    for (int64_t i = 0; i < cb; ++i)
      for (int64_t ci = 0; ci < L; ++ci)
        for (int64_t co = 0; co < L; ++co) {
          double tap[3][3], half[6][3];
          for (int64_t kh = 0; kh < 3; ++kh)
            for (int64_t kw = 0; kw < 3; ++kw)
              tap[kh][kw] =
                  blocked[((((o * cb + i) * 3 + kh) * 3 + kw) * L + ci) * L +
                          co];
          for (int64_t r = 0; r < a; ++r)
            for (int64_t kw = 0; kw < 3; ++kw) {
              half[r][kw] = 0;
              for (int64_t kh = 0; kh < 3; ++kh)
                half[r][kw] += g[r * 3 + kh] * tap[kh][kw];
            }
          for (int64_t r = 0; r < a; ++r)
            for (int64_t s = 0; s < a; ++s) {
              double value = 0;
              for (int64_t kw = 0; kw < 3; ++kw)
                value += half[r][kw] * g[s * 3 + kw];
              int64_t group = r * a + s;
              result[(((group * ob + o) * cb + i) * L + ci) * L + co] =
                  static_cast<float>(value);
            }
        }
  return result;
}

Value matrixConstant(OpBuilder &b, Location loc, ArrayRef<double> values,
                     int64_t rows) {
  SmallVector<float> data(values.begin(), values.end());
  auto type = RankedTensorType::get(
      {rows, static_cast<int64_t>(values.size()) / rows}, b.getF32Type());
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(type, ArrayRef<float>(data)));
}

Value zeroTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape) {
  Value empty = b.create<tensor::EmptyOp>(loc, shape, b.getF32Type());
  Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
  return b.create<linalg::FillOp>(loc, zero, empty).getResult(0);
}

/// `input` with its zero padding grown so that it has `rows` x `columns`
/// pixels: the producing pad grows when the convolution is its only
/// reader, else a new pad.
Value padToTiles(OpBuilder &b, Location loc, Value input, int64_t rows,
                 int64_t columns) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t extraRows = std::max<int64_t>(0, rows - type.getDimSize(2));
  int64_t extraColumns = std::max<int64_t>(0, columns - type.getDimSize(3));
  if (extraRows == 0 && extraColumns == 0)
    return input;
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += extraRows;
  shape[3] += extraColumns;
  auto padded = RankedTensorType::get(shape, type.getElementType());
  Value source = input;
  SmallVector<OpFoldResult> low(5, b.getIndexAttr(0)),
      high(5, b.getIndexAttr(0));
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (pad && input.hasOneUse() && pad.getConstantPaddingValue() &&
      matchPattern(pad.getConstantPaddingValue(), m_AnyZeroFloat()) &&
      pad.getStaticLow().size() == 5 &&
      !ShapedType::isDynamicShape(pad.getStaticLow()) &&
      !ShapedType::isDynamicShape(pad.getStaticHigh())) {
    source = pad.getSource();
    for (int64_t d = 0; d < 5; ++d) {
      low[d] = b.getIndexAttr(pad.getStaticLow()[d]);
      high[d] = b.getIndexAttr(pad.getStaticHigh()[d]);
    }
  }
  high[2] = b.getIndexAttr(*getConstantIntValue(high[2]) + extraRows);
  high[3] = b.getIndexAttr(*getConstantIntValue(high[3]) + extraColumns);
  Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
  return b.create<tensor::PadOp>(loc, padded, source, low, high, zero);
}

/// Rewrites `c` as Winograd F(m x m, 3 x 3).
void rewrite(const Candidate &c, int64_t m) {
  linalg::GenericOp conv = c.conv;
  winograd::Matrices w = winograd::matricesFor(m);
  int64_t a = w.alpha, L = c.lanes;
  int64_t tileRows = ceilDiv(c.rows, m), tileColumns = ceilDiv(c.columns, m);
  OpBuilder b(conv);
  Location loc = conv.getLoc();
  MLIRContext *context = conv.getContext();
  auto parallel = utils::IteratorType::parallel;
  auto reduction = utils::IteratorType::reduction;
  Value inputT = matrixConstant(b, loc, w.inputT, a);
  Value outputT = matrixConstant(b, loc, w.outputT, m);
  auto tripleProduct = [](OpBuilder &nested, Location l, ValueRange args) {
    Value product = nested.create<arith::MulFOp>(l, args[0], args[1]);
    product = nested.create<arith::MulFOp>(l, product, args[2]);
    nested.create<linalg::YieldOp>(
        l, ValueRange{nested.create<arith::AddFOp>(l, args[3], product)});
  };

  // 1. V[n, a1, a2, cb, th, tw, l] = sum_ij B^T[a1, i] B^T[a2, j]
  //    in[n, cb, th * m + i, tw * m + j, l].
  Value input = padToTiles(b, loc, conv.getDpsInputs()[0], tileRows * m + 2,
                           tileColumns * m + 2);
  Value transformedInit =
      zeroTensor(b, loc, {c.batch, a, a, c.inBlocks, tileRows, tileColumns, L});
  // Dimensions: n a1 a2 cb th tw l | i j.
  auto inputTransform = b.create<linalg::GenericOp>(
      loc, TypeRange{transformedInit.getType()},
      ValueRange{input, inputT, inputT}, ValueRange{transformedInit},
      winograd::inputTransformMaps(m, context),
      SmallVector<utils::IteratorType>{parallel, parallel, parallel, parallel,
                                       parallel, parallel, parallel, reduction,
                                       reduction},
      tripleProduct);
  CnncDialect *dialect = context->getOrLoadDialect<CnncDialect>();
  dialect->getWinogradInputAttrHelper().setAttr(inputTransform,
                                                b.getI64IntegerAttr(m));
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2, 3}, {4}, {5}, {6}};
  Value transformed = b.create<tensor::CollapseShapeOp>(
      loc, inputTransform.getResult(0), groups);

  // 2. The alpha^2 products: a grouped 1x1 blocked convolution.
  ConvSpec spec;
  spec.groupInBlocks = c.inBlocks;
  spec.groupOutBlocks = c.outBlocks;
  spec.groupInChannels = c.inBlocks * L;
  spec.lanes = L;
  std::vector<float> filterValues =
      transformFilter(*constantValues(conv.getDpsInputs()[1]), c, w);
  Value filter = floatConstant(
      b, loc,
      RankedTensorType::get({a * a * c.outBlocks, c.inBlocks, 1, 1, L, L},
                            b.getF32Type()),
      filterValues, "winograd_filter");
  Value productsInit = zeroTensor(
      b, loc, {c.batch, a * a * c.outBlocks, tileRows, tileColumns, L});
  auto products = b.create<linalg::GenericOp>(
      loc, TypeRange{productsInit.getType()}, ValueRange{transformed, filter},
      ValueRange{productsInit}, spec.indexingMaps(context),
      spec.iteratorTypes(), [](OpBuilder &nested, Location l, ValueRange args) {
        Value product = nested.create<arith::MulFOp>(l, args[0], args[1]);
        nested.create<linalg::YieldOp>(
            l, ValueRange{nested.create<arith::AddFOp>(l, args[2], product)});
      });
  spec.mark(products);
  auto expandedType = RankedTensorType::get(
      {c.batch, a, a, c.outBlocks, tileRows, tileColumns, L}, b.getF32Type());
  Value expanded = b.create<tensor::ExpandShapeOp>(
      loc, expandedType, products.getResult(0), groups);

  // 3. out[n, ob, oh, ow, l] += sum_{a1 a2} A^T[oh mod m, a1]
  //    A^T[ow mod m, a2] M[n, a1, a2, ob, oh / m, ow / m, l].
  // Dimensions: n ob oh ow l | a1 a2.
  Value init = conv.getDpsInits()[0];
  bool initReadOnce = init.hasOneUse();
  auto outputTransform = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, ValueRange{expanded, outputT, outputT},
      ValueRange{init}, winograd::outputTransformMaps(m, context),
      SmallVector<utils::IteratorType>{parallel, parallel, parallel, parallel,
                                       parallel, reduction, reduction},
      tripleProduct);
  dialect->getWinogradOutputAttrHelper().setAttr(outputTransform,
                                                 b.getI64IntegerAttr(m));
  // The op that initializes the output (a fill or a bias) goes right before
  // the output transform, where the kernel looks for it.
  if (Operation *initOp = init.getDefiningOp())
    if (initReadOnce && isa<linalg::FillOp, linalg::GenericOp>(initOp))
      initOp->moveBefore(outputTransform);
  Operation *oldPad = conv.getDpsInputs()[0].getDefiningOp();
  conv.getResult(0).replaceAllUsesWith(outputTransform.getResult(0));
  conv.erase();
  if (oldPad && oldPad->use_empty())
    oldPad->erase();
}

struct CNNUseWinograd : cnnc::impl::CNNUseWinogradBase<CNNUseWinograd> {
  using Base::Base;
  void runOnOperation() override {
    if ((tile != 0 && !winograd::isSupported(tile)) ||
        !winograd::isSupported(maxTile)) {
      getOperation().emitError()
          << "cnn-use-winograd: tile must be 0, 2 or 4 and max-tile 2 or 4, "
             "got "
          << static_cast<int64_t>(tile) << " and "
          << static_cast<int64_t>(maxTile);
      return signalPassFailure();
    }
    SmallVector<std::pair<Candidate, int64_t>> chosen;
    getOperation().walk([&](linalg::GenericOp generic) {
      std::optional<Candidate> c = matchCandidate(generic);
      if (!c)
        return;
      std::optional<int64_t> m =
          tile != 0 ? std::optional<int64_t>(tile)
                    : chooseTile(*c, maxTile, minChannels, maxRatio,
                                 transformCost, byteCost);
      if (m)
        chosen.push_back({*c, *m});
    });
    for (auto &[c, m] : chosen)
      rewrite(c, m);
  }
};

} // namespace

//===- BlockedLayout.cpp - building ops in the channel-blocked layout -----===//

#include "BlockedLayout.h"
#include "cnnc/Transforms/ConstantValues.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <functional>

using namespace mlir;
using namespace cnnc;

namespace cnnc::blocked {

bool isFeatureMap(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getRank() == 4 && tensor.hasStaticShape() &&
         tensor.getElementType().isF32() && !tensor.getEncoding();
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

RankedTensorType blockedType(RankedTensorType type, int64_t channelDim,
                             int64_t lanes) {
  SmallVector<int64_t> shape(type.getShape());
  shape[channelDim] = ceilDiv(shape[channelDim], lanes);
  shape.push_back(lanes);
  return RankedTensorType::get(shape, type.getElementType());
}

namespace {
/// The attribute of the constant `value` reads, looking through reshapes.
Attribute constantAttr(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      break;
    value = op->getOperand(0);
  }
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? constant.getValue() : Attribute();
}
} // namespace

bool isReadableConstant(Value value) {
  return hasFloatValues(constantAttr(value));
}

std::optional<std::vector<float>> constantValues(Value value) {
  return floatValues(constantAttr(value));
}

Value floatConstant(OpBuilder &b, Location loc, RankedTensorType type,
                    ArrayRef<float> values, StringRef name) {
  auto data = DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  return b.create<arith::ConstantOp>(loc, type, data);
}

std::vector<float> blockValues(ArrayRef<float> values, ArrayRef<int64_t> shape,
                               int64_t channelDim, int64_t lanes) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < channelDim; ++i)
    outer *= shape[i];
  for (int64_t i = channelDim + 1; i < static_cast<int64_t>(shape.size()); ++i)
    inner *= shape[i];
  int64_t channels = shape[channelDim], blocks = ceilDiv(channels, lanes);
  std::vector<float> result(outer * blocks * inner * lanes, 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i)
        result[((o * blocks + c / lanes) * inner + i) * lanes + c % lanes] =
            values[(o * channels + c) * inner + i];
  return result;
}

Value packChannels(OpBuilder &b, Location loc, Value value, int64_t channelDim,
                   int64_t lanes) {
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType packedType = blockedType(type, channelDim, lanes);
  Value dest = b.create<tensor::EmptyOp>(loc, packedType.getShape(),
                                         packedType.getElementType());
  Value zero = b.create<arith::ConstantOp>(
      loc, b.getFloatAttr(type.getElementType(), 0.0));
  return b.create<tensor::PackOp>(
      loc, value, dest, ArrayRef<int64_t>{channelDim},
      ArrayRef<OpFoldResult>{b.getIndexAttr(lanes)}, zero);
}

Value unpackChannels(OpBuilder &b, Location loc, Value blocked,
                     RankedTensorType type, int64_t channelDim) {
  int64_t lanes = cast<RankedTensorType>(blocked.getType()).getShape().back();
  Value dest =
      b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<tensor::UnPackOp>(
      loc, blocked, dest, ArrayRef<int64_t>{channelDim},
      ArrayRef<OpFoldResult>{b.getIndexAttr(lanes)});
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

namespace {

SmallVector<int64_t> intValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The constant value of `expr` with dimension `dim` set to 1 and every other
/// dimension to 0.
std::optional<int64_t> coefficient(AffineExpr expr, unsigned dim,
                                   unsigned numDims) {
  MLIRContext *context = expr.getContext();
  SmallVector<AffineExpr> values;
  for (unsigned i = 0; i < numDims; ++i)
    values.push_back(getAffineConstantExpr(i == dim ? 1 : 0, context));
  auto folded = dyn_cast<AffineConstantExpr>(
      simplifyAffineExpr(expr.replaceDims(values), numDims, 0));
  if (!folded)
    return std::nullopt;
  return folded.getValue();
}

/// The grouped convolution of cnn-lower-to-linalg: a generic over
/// [N, G, C/G, H, W] x [G, O/G, C/G, KH, KW] -> [N, G, O/G, Ho, Wo] views
/// (tensor.expand_shape of the NCHW tensors) whose result is collapsed back.
std::optional<ConvMatch> matchGroupedGeneric(linalg::GenericOp generic) {
  if (generic.getNumLoops() != 8 || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 3 ||
      !generic->hasOneUse() || !isMultiplyAccumulate(generic))
    return std::nullopt;
  auto collapse =
      dyn_cast<tensor::CollapseShapeOp>(*generic->getUsers().begin());
  auto inputView =
      generic.getDpsInputs()[0].getDefiningOp<tensor::ExpandShapeOp>();
  // The output starts as a view of an NCHW value, or as a fill of a view.
  Value init = generic.getDpsInits()[0], initFill;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    initFill = fill.getDpsInputs()[0];
    init = fill.getDpsInits()[0];
  }
  auto initView = init.getDefiningOp<tensor::ExpandShapeOp>();
  if (!collapse || !inputView || !initView ||
      !isFeatureMap(collapse.getType()) ||
      !isFeatureMap(inputView.getSrc().getType()) ||
      !isFeatureMap(initView.getSrc().getType()))
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  AffineExpr row = maps[0].getResult(3), column = maps[0].getResult(4);
  std::optional<int64_t> s0 = coefficient(row, 3, 8),
                         d0 = coefficient(row, 6, 8),
                         s1 = coefficient(column, 4, 8),
                         d1 = coefficient(column, 7, 8);
  if (!s0 || !d0 || !s1 || !d1 || *s0 < 1 || *d0 < 1 || *s1 < 1 || *d1 < 1)
    return std::nullopt;
  MLIRContext *context = generic.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineMap> expected = {
      AffineMap::get(
          8, 0,
          {d(0), d(1), d(5), d(3) * *s0 + d(6) * *d0, d(4) * *s1 + d(7) * *d1},
          context),
      AffineMap::get(8, 0, {d(1), d(2), d(5), d(6), d(7)}, context),
      AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, context)};
  if (maps != expected)
    return std::nullopt;
  // The filter [G, O/G, C/G, KH, KW]: a constant, or a view of the
  // constant [O, C/G, KH, KW] (the same order).
  Value filter = generic.getDpsInputs()[1];
  auto grouped = cast<RankedTensorType>(filter.getType());
  if (!isReadableConstant(filter) || grouped.getRank() != 5)
    return std::nullopt;
  ConvMatch match;
  match.spec.strides = {*s0, *s1};
  match.spec.dilations = {*d0, *d1};
  match.input = inputView.getSrc();
  match.init = initView.getSrc();
  match.initFill = initFill;
  match.result = collapse.getResult();
  match.filter = filter;
  match.filterShape = {grouped.getDimSize(0) * grouped.getDimSize(1),
                       grouped.getDimSize(2), grouped.getDimSize(3),
                       grouped.getDimSize(4)};
  match.groups =
      cast<RankedTensorType>(generic.getDpsInputs()[0].getType()).getDimSize(1);
  match.ops = {generic, collapse};
  return match;
}

/// A named convolution (conv_2d_nchw_fchw or depthwise_conv_2d_nchw_chw)
/// with a constant filter on NCHW tensors.
template <typename ConvOp>
std::optional<ConvMatch> matchNamedConvolution(ConvOp conv, ConvForm form) {
  Value input = conv.getDpsInputs()[0], filter = conv.getDpsInputs()[1];
  Value init = conv.getDpsInits()[0];
  if (!isReadableConstant(filter) || !conv.hasPureTensorSemantics() ||
      !isFeatureMap(input.getType()) || !isFeatureMap(init.getType()))
    return std::nullopt;
  ConvMatch match;
  SmallVector<int64_t> strides = intValues(conv.getStrides());
  SmallVector<int64_t> dilations = intValues(conv.getDilations());
  match.spec.form = form;
  match.spec.strides = {strides[0], strides[1]};
  match.spec.dilations = {dilations[0], dilations[1]};
  match.input = input;
  match.init = init;
  match.result = conv.getResult(0);
  match.filter = filter;
  match.filterShape =
      SmallVector<int64_t>(cast<RankedTensorType>(filter.getType()).getShape());
  match.ops = {conv};
  return match;
}

} // namespace

std::optional<ConvMatch> matchConvolution(Operation *op, int64_t lanes) {
  std::optional<ConvMatch> match;
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op)) {
    return matchNamedConvolution(conv, ConvForm::Dense);
  } else if (auto conv = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(op)) {
    match = matchNamedConvolution(conv, ConvForm::Depthwise);
    if (!match)
      return std::nullopt;
    // The filter [C, KH, KW] as [C, 1, KH, KW]: C groups of one channel.
    ArrayRef<int64_t> shape = match->filterShape;
    match->filterShape = {shape[0], 1, shape[1], shape[2]};
    match->groups = shape[0];
    return match;
  } else if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    match = matchGroupedGeneric(generic);
    if (!match)
      return std::nullopt;
    int64_t perGroupOut = match->filterShape[0] / match->groups;
    int64_t perGroupIn = match->filterShape[1];
    if (perGroupIn == perGroupOut && lanes % perGroupIn == 0) {
      match->spec.form = ConvForm::LaneGroups;
      match->spec.groupSize = perGroupIn;
    } else if (perGroupOut % lanes == 0) {
      // Each group's output blocks read the blocks that hold its input
      // channels: at most this many, from the one with its first.
      int64_t span = 0;
      for (int64_t g = 0; g < match->groups; ++g)
        span = std::max(span, ceilDiv((g + 1) * perGroupIn, lanes) -
                                  g * perGroupIn / lanes);
      int64_t needed = 0;
      for (int64_t g = 0; g < match->groups; ++g)
        needed = std::max(needed, g * perGroupIn / lanes + span);
      if (needed > ceilDiv(match->groups * perGroupIn, lanes))
        match->inputBlocks = needed;
      match->spec.groupInBlocks = span;
      match->spec.groupOutBlocks = perGroupOut / lanes;
      match->spec.groupInChannels = perGroupIn;
      match->spec.lanes = lanes;
    } else {
      return std::nullopt;
    }
    return match;
  } else {
    return std::nullopt;
  }
  return match;
}

namespace {

/// The filter [O, C/G, KH, KW] in the order the blocked form reads it.
std::vector<float> packFilter(const ConvMatch &match, int64_t lanes,
                              SmallVectorImpl<int64_t> &shape) {
  ArrayRef<int64_t> f = match.filterShape;
  int64_t outChannels = f[0], perGroup = f[1], kh = f[2], kw = f[3];
  int64_t taps = kh * kw, outBlocks = ceilDiv(outChannels, lanes);
  std::vector<float> values = *constantValues(match.filter);
  ArrayRef<float> w = values;
  auto at = [&](int64_t o, int64_t c, int64_t tap) {
    return w[(o * perGroup + c) * taps + tap];
  };
  // Each form's shape, and where filter value (o, c, tap) goes in it.
  std::function<int64_t(int64_t o, int64_t c, int64_t t)> destination;
  switch (match.spec.form) {
  case ConvForm::Dense: {
    // One group: the input blocks of all channels. Groups: each output
    // block reads `span` blocks from the one holding its group's first
    // channel; channels of other groups get zero weights.
    const ConvSpec &spec = match.spec;
    bool grouped = spec.groupInBlocks > 0;
    int64_t inBlocks = grouped ? spec.groupInBlocks : ceilDiv(perGroup, lanes);
    int64_t perGroupOut = outChannels / match.groups;
    shape.assign({outBlocks, inBlocks, kh, kw, lanes, lanes});
    destination = [=](int64_t o, int64_t c, int64_t t) {
      int64_t first = grouped ? o / perGroupOut * perGroup : 0;
      int64_t channel = first + c; // in the whole input
      int64_t block = channel / lanes - first / lanes;
      return ((((o / lanes) * inBlocks + block) * taps + t) * lanes +
              channel % lanes) *
                 lanes +
             o % lanes;
    };
    break;
  }
  case ConvForm::PlainInput:
    shape.assign({outBlocks, perGroup, kh, kw, lanes});
    destination = [=](int64_t o, int64_t c, int64_t t) {
      return (((o / lanes) * perGroup + c) * taps + t) * lanes + o % lanes;
    };
    break;
  case ConvForm::Depthwise:
    shape.assign({outBlocks, kh, kw, lanes});
    destination = [=](int64_t o, int64_t, int64_t t) {
      return ((o / lanes) * taps + t) * lanes + o % lanes;
    };
    break;
  case ConvForm::LaneGroups:
    shape.assign({outBlocks, kh, kw, perGroup, lanes});
    destination = [=](int64_t o, int64_t j, int64_t t) {
      return (((o / lanes) * taps + t) * perGroup + j) * lanes + o % lanes;
    };
    break;
  }
  int64_t size = 1;
  for (int64_t extent : shape)
    size *= extent;
  std::vector<float> packed(size, 0.0f);
  for (int64_t o = 0; o < outChannels; ++o)
    for (int64_t c = 0; c < perGroup; ++c)
      for (int64_t t = 0; t < taps; ++t)
        packed[destination(o, c, t)] = at(o, c, t);
  return packed;
}

} // namespace

Value buildBlockedConvolution(OpBuilder &b, Location loc,
                              const ConvMatch &match, Value input, Value init,
                              int64_t lanes) {
  SmallVector<int64_t> filterShape;
  std::vector<float> packed = packFilter(match, lanes, filterShape);
  Value filter =
      floatConstant(b, loc, RankedTensorType::get(filterShape, b.getF32Type()),
                    packed, "blocked_filter");
  MLIRContext *context = b.getContext();
  auto resultType = cast<RankedTensorType>(init.getType());
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, ValueRange{input, filter}, ValueRange{init},
      match.spec.indexingMaps(context), match.spec.iteratorTypes(),
      [](OpBuilder &nested, Location l, ValueRange args) {
        Value product = nested.create<arith::MulFOp>(l, args[0], args[1]);
        nested.create<linalg::YieldOp>(
            l, ValueRange{nested.create<arith::AddFOp>(l, args[2], product)});
      });
  ConvSpec spec = match.spec;
  // One group whose channels leave the last input block part empty (24 of
  // MobileNetV2's 32, 116 of ShuffleNetV2's 128): the kernel reduces over
  // the channels there are.
  int64_t inChannels = match.filterShape[1];
  if (spec.form == ConvForm::Dense && spec.groupInBlocks == 0 &&
      inChannels % lanes != 0)
    spec.inChannels = inChannels;
  spec.mark(generic);
  return generic.getResult(0);
}

std::optional<unsigned> channelDimension(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || !generic.hasPureTensorSemantics() ||
      !isFeatureMap(generic.getDpsInits()[0].getType()))
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  auto channel = dyn_cast<AffineDimExpr>(maps.back().getResult(1));
  if (!channel)
    return std::nullopt;
  unsigned dim = channel.getPosition();
  for (OpOperand &operand : generic->getOpOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(&operand);
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    int64_t found = -1;
    for (auto [position, expr] : llvm::enumerate(map.getResults())) {
      if (!expr.isFunctionOfDim(dim))
        continue;
      auto pure = dyn_cast<AffineDimExpr>(expr);
      if (found >= 0 || !pure)
        return std::nullopt;
      found = static_cast<int64_t>(position);
    }
    if (found < 0)
      continue;
    bool featureMap = type && isFeatureMap(type) && found == 1;
    bool vector = type && type.getRank() == 1 && type.hasStaticShape() &&
                  type.getElementType().isF32() && found == 0;
    if (!featureMap && !vector)
      return std::nullopt;
  }
  bool readsChannel = false;
  generic.getRegion().walk([&](Operation *op) {
    if (auto index = dyn_cast<linalg::IndexOp>(op))
      readsChannel |= index.getDim() == dim;
    else if (isa<tensor::ExtractOp>(op))
      readsChannel = true;
  });
  if (readsChannel)
    return std::nullopt;
  return dim;
}

} // namespace cnnc::blocked

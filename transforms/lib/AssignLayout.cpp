//===- AssignLayout.cpp - the channel-blocked layout for feature maps -----===//
//
// After cnn-lower-to-linalg every feature map is an NCHW tensor. This pass
// gives the ones that convolutions compute, and those computed from them
// channel by channel, the blocked layout [N, C/L, H, W, L] whose vectors
// (L lanes) run along the channels, where the convolution kernels want them:
//
// 1. Analysis. Convolutions with a blocked form (BlockedLayout.h) start a
//    blocked value; it spreads forward through the ops that treat each
//    channel alone: element-wise and pooling generics, padding, row slices
//    and channel slices or inserts aligned to whole blocks, and the values
//    that loops carry.
// 2. Rewrite, in program order. Each op of a blocked value gets a twin on
//    blocked tensors; the operands it needs blocked come from their twins,
//    from constants repacked at compile time, from empties and fills built
//    blocked, or else from a tensor.pack (a model input). An op that needs
//    NCHW (a reshape, a dense layer, a return) reads a tensor.unpack.
//
// So the reorders sit at the model's inputs and outputs and around the few
// ops that need NCHW; --emit=linalg shows them as tensor.pack/unpack.
//
//===----------------------------------------------------------------------===//

#include "BlockedLayout.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNASSIGNLAYOUT
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// The channel range [offset, offset + size) of a slice of `channels`
/// channels, if it covers whole blocks (the last one may be partial at the
/// end) and is not strided.
bool isBlockAligned(OpFoldResult offset, OpFoldResult size, OpFoldResult stride,
                    int64_t channels, int64_t lanes) {
  std::optional<int64_t> o = getConstantIntValue(offset),
                         s = getConstantIntValue(size),
                         t = getConstantIntValue(stride);
  return o && s && t && *t == 1 && *o % lanes == 0 &&
         (*s % lanes == 0 || *o + *s == channels);
}

template <typename SliceOp>
bool isChannelAligned(SliceOp slice, RankedTensorType full, int64_t lanes) {
  if (!isFeatureMap(slice.getSourceType()) ||
      !isFeatureMap(slice.getResultType()))
    return false;
  return isBlockAligned(slice.getMixedOffsets()[1], slice.getMixedSizes()[1],
                        slice.getMixedStrides()[1], full.getDimSize(1), lanes);
}

class LayoutAssignment {
public:
  LayoutAssignment(func::FuncOp func, int64_t lanes,
                   bool loneConvolutionsInNCHW)
      : func(func), lanes(lanes),
        loneConvolutionsInNCHW(loneConvolutionsInNCHW) {}

  LogicalResult run() {
    generalizePooling();
    analyze();
    if (blocked.empty())
      return success();
    rewrite(func.getBody().front());
    // The NCHW ops that have blocked twins: every reader now reads a twin
    // or an unpack, so they go, each dropping its operands first (they
    // may read each other in any order).
    converted.append(done.begin(), done.end());
    llvm::SetVector<Operation *> dead(converted.begin(), converted.end());
    for (Operation *op : dead)
      op->dropAllReferences();
    for (Operation *op : dead)
      if (!op->use_empty())
        return op->emitOpError("is still read after its blocked twin was "
                               "built");
    for (Operation *op : dead)
      op->erase();
    return success();
  }

private:
  //===--------------------------------------------------------------===//
  // Analysis
  //===--------------------------------------------------------------===//

  /// Pooling named ops as generics, which the analysis can reason about.
  void generalizePooling() {
    SmallVector<linalg::LinalgOp> pools;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op))
        pools.push_back(op);
    });
    IRRewriter rewriter(func.getContext());
    for (linalg::LinalgOp op : pools) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
  }

  bool isBlocked(Value value) const { return blocked.contains(value); }

  bool mark(Value value) {
    if (!isFeatureMap(value.getType()))
      return false;
    return blocked.insert(value).second;
  }

  /// Whether `op`'s result becomes blocked given its operands'.
  bool propagates(Operation *op) {
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      if (!channelDimension(generic))
        return false;
      return llvm::any_of(generic->getOperands(),
                          [&](Value v) { return isBlocked(v); });
    }
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      return isBlocked(pad.getSource()) && isSpatialPad(pad);
    }
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
      return isBlocked(slice.getSource()) &&
             isChannelAligned(slice, slice.getSourceType(), lanes);
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(op))
      return (isBlocked(insert.getSource()) || isBlocked(insert.getDest())) &&
             isChannelAligned(insert, insert.getDestType(), lanes);
    return false;
  }

  /// Makes `op`'s convolution an anchor: its result blocked.
  bool anchor(Operation *op, ConvMatch match) {
    // The NCHW views the grouped form reads become dead with it; a view
    // that is the convolution's input itself (a 1-D convolution imported as
    // a 2-D one over an expanded input) is what the blocked form packs.
    for (Value operand : op->getOperands())
      if (auto view = operand.getDefiningOp<tensor::ExpandShapeOp>())
        if (view->hasOneUse() && operand != match.input &&
            operand != match.init)
          done.insert(view);
    bool changed = mark(match.result);
    anchors.insert({op, std::move(match)});
    return changed;
  }

  void analyze() {
    // Convolutions over images start blocked values. One on a 1x1 image (a
    // squeeze-and-excitation's excitation) does too little to pay for
    // reordering its input: it is blocked only when its input is.
    DenseMap<Operation *, ConvMatch> pointLike;
    func.walk([&](Operation *op) {
      if (std::optional<ConvMatch> match = matchConvolution(op, lanes)) {
        auto type = cast<RankedTensorType>(match->result.getType());
        if (type.getDimSize(2) * type.getDimSize(3) > 1)
          anchor(op, std::move(*match));
        else
          pointLike.insert({op, std::move(*match)});
      }
    });
    if (blocked.empty())
      return;
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto it = pointLike.begin(); it != pointLike.end();) {
        auto current = it++;
        if (!isBlocked(current->second.input))
          continue;
        changed |= anchor(current->first, std::move(current->second));
        pointLike.erase(current);
      }
      func.walk([&](Operation *op) {
        if (auto loop = dyn_cast<scf::ForOp>(op)) {
          auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
          for (unsigned i = 0; i < loop.getNumRegionIterArgs(); ++i) {
            Value values[] = {loop.getInitArgs()[i],
                              loop.getRegionIterArgs()[i], loop.getResult(i),
                              yield.getOperand(i)};
            if (!llvm::any_of(values, [&](Value v) { return isBlocked(v); }))
              continue;
            changed |= mark(loop.getRegionIterArgs()[i]);
            changed |= mark(loop.getResult(i));
          }
          return;
        }
        if (op->getNumResults() == 1 && !isBlocked(op->getResult(0)) &&
            propagates(op))
          changed |= mark(op->getResult(0));
      });
    }
    if (loneConvolutionsInNCHW)
      keepFastNCHWRegionsInNCHW();
  }

  /// Whether the NCHW kernels run `op` as fast as the blocked ones: a 1x1
  /// stride-1 convolution of one group on an unpadded input (a matrix
  /// product over the image with its vectors along the image), or a
  /// depthwise convolution of a model input or a slice of it (a band of
  /// rows), zero-padded or not (its kernel reads the input itself,
  /// handling the padding at the borders).
  static bool hasFastNCHWKernel(Operation *op, const ConvMatch &match) {
    if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
      return match.groups == 1 && match.filterShape[2] == 1 &&
             match.filterShape[3] == 1 &&
             llvm::all_of(conv.getStrides().getValues<int64_t>(),
                          [](int64_t s) { return s == 1; }) &&
             !match.input.getDefiningOp<tensor::PadOp>();
    if (isa<linalg::DepthwiseConv2DNchwChwOp>(op)) {
      Value input = match.input;
      if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
        Value padValue = pad.getConstantPaddingValue();
        if (!padValue || !matchPattern(padValue, m_AnyZeroFloat()))
          return false;
        input = pad.getSource();
      }
      // A slice of the input too: a fused chain's band of rows (its
      // kernel reads the band in place of a padded copy where it can;
      // a channel slice, copied when padded, still ran faster than
      // blocked: 0.27 against 0.33 ms for 16 of 32 channels at 112x112).
      if (auto band = input.getDefiningOp<tensor::ExtractSliceOp>())
        input = band.getSource();
      auto argument = dyn_cast<BlockArgument>(input);
      return argument && isa<func::FuncOp>(argument.getOwner()->getParentOp());
    }
    return false;
  }

  /// Unblocks the regions (blocked values connected through the ops that
  /// compute them) whose convolutions all have fast NCHW kernels, with
  /// nothing but element-wise generics, slices, inserts and loops besides
  /// (a fused chain's bands of rows): blocked, such a region pays a whole
  /// pass over its output to reorder it back to NCHW (and a depthwise one,
  /// over its input to block it), which the NCHW kernels do not need. A
  /// lone layer, or a chain: two 1x1 layers in a row ran 5-13% faster in
  /// NCHW, a fused depthwise-separable layer on the input 20% (Intel Xeon,
  /// AVX-512; docs/performance.md).
  void keepFastNCHWRegionsInNCHW() {
    // Union-find over the blocked values: each points towards its region's
    // representative, which points nowhere.
    DenseMap<Value, Value> parent;
    auto region = [&](Value v) {
      while (Value up = parent.lookup(v))
        v = up;
      return v;
    };
    auto join = [&](Value a, Value b) {
      if (!isBlocked(a) || !isBlocked(b))
        return;
      Value ra = region(a), rb = region(b);
      if (ra != rb)
        parent[ra] = rb;
    };
    // A region that pools or pads is not element-wise. Loops, slices and
    // inserts only move its values around: a fused chain's bands of rows.
    llvm::DenseSet<Value> notElementwise;
    func.walk([&](Operation *op) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
        for (unsigned i = 0; i < loop.getNumRegionIterArgs(); ++i) {
          Value arg = loop.getRegionIterArgs()[i];
          join(arg, loop.getInitArgs()[i]);
          join(arg, loop.getResult(i));
          join(arg, yield.getOperand(i));
        }
        return;
      }
      for (Value result : op->getResults()) {
        if (!isBlocked(result))
          continue;
        for (Value operand : op->getOperands())
          join(result, operand);
        auto generic = dyn_cast<linalg::GenericOp>(op);
        bool elementwise =
            (generic &&
             generic.getNumLoops() == generic.getNumParallelLoops()) ||
            isa<tensor::ExtractSliceOp, tensor::InsertSliceOp>(op);
        if (!anchors.count(op) && !elementwise)
          notElementwise.insert(result);
      }
    });
    // A convolution may read its input and init through views that are not
    // feature maps (a grouped one's 5-D view): join them directly, so that
    // a region that feeds another convolution counts it.
    for (auto &[op, match] : anchors) {
      join(match.result, match.input);
      join(match.result, match.init);
    }
    DenseMap<Value, SmallVector<Operation *>> anchorsOf;
    for (auto &[op, match] : anchors)
      anchorsOf[region(match.result)].push_back(op);
    DenseMap<Value, SmallVector<Value>> members;
    for (Value value : blocked)
      members[region(value)].push_back(value);
    for (auto &[root, ops] : anchorsOf) {
      if (!llvm::all_of(ops, [&](Operation *op) {
            return hasFastNCHWKernel(op, anchors[op]);
          }))
        continue;
      if (llvm::any_of(members[root],
                       [&](Value v) { return notElementwise.contains(v); }))
        continue;
      for (Value value : members[root])
        blocked.erase(value);
      for (Operation *op : ops) {
        // The views that anchor() let go with the convolution stay read.
        for (Value operand : op->getOperands())
          if (auto view = operand.getDefiningOp<tensor::ExpandShapeOp>())
            done.erase(view);
        anchors.erase(op);
      }
    }
  }

  //===--------------------------------------------------------------===//
  // Twins
  //===--------------------------------------------------------------===//

  /// Insert after `value`'s definition.
  void setInsertionAfter(OpBuilder &b, Value value) {
    if (auto argument = dyn_cast<BlockArgument>(value))
      b.setInsertionPointToStart(argument.getOwner());
    else
      b.setInsertionPointAfter(value.getDefiningOp());
  }

  int64_t channelDimOf(Value value) {
    return cast<RankedTensorType>(value.getType()).getRank() == 1 ? 0 : 1;
  }

  /// Whether `value` can be built blocked from constants, empties and
  /// fills alone.
  bool isBuildable(Value value) {
    Operation *op = value.getDefiningOp();
    if (!op)
      return false;
    if (isa<tensor::EmptyOp>(op))
      return true;
    if (auto pad = dyn_cast<tensor::PadOp>(op))
      return isSpatialPad(pad);
    if (isa<arith::ConstantOp>(op))
      return isReadableConstant(value);
    if (auto fill = dyn_cast<linalg::FillOp>(op))
      return isBuildable(fill.getDpsInits()[0]);
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      std::optional<unsigned> dim = channelDimension(generic);
      if (!dim)
        return false;
      for (OpOperand &operand : generic->getOpOperands())
        if (usesChannel(generic, operand, *dim) && !isBuildable(operand.get()))
          return false;
      return true;
    }
    return false;
  }

  static bool usesChannel(linalg::GenericOp generic, OpOperand &operand,
                          unsigned dim) {
    return llvm::any_of(
        generic.getMatchingIndexingMap(&operand).getResults(),
        [&](AffineExpr expr) { return expr.isFunctionOfDim(dim); });
  }

  /// The blocked twin of a feature map or per-channel vector.
  Value twin(Value value) {
    if (Value known = twins.lookup(value))
      return known;
    assert(!isBlocked(value) && "a blocked value is used before its twin");
    OpBuilder b(value.getContext());
    setInsertionAfter(b, value);
    Location loc = value.getLoc();
    auto type = cast<RankedTensorType>(value.getType());
    int64_t channelDim = channelDimOf(value);
    Value result;
    Operation *op = value.getDefiningOp();
    if (op && isBuildable(value)) {
      if (isa<tensor::EmptyOp>(op)) {
        RankedTensorType blockedT = blockedType(type, channelDim, lanes);
        result = b.create<tensor::EmptyOp>(loc, blockedT.getShape(),
                                           blockedT.getElementType());
      } else if (isa<arith::ConstantOp>(op)) {
        std::vector<float> values = blockValues(
            *constantValues(value), type.getShape(), channelDim, lanes);
        result = floatConstant(b, loc, blockedType(type, channelDim, lanes),
                               values, "blocked_constant");
      } else if (auto pad = dyn_cast<tensor::PadOp>(op)) {
        // Reorder the smaller tensor (and share its reorder): pad the twin.
        result = blockPad(pad, twin(pad.getSource()));
      } else if (auto fill = dyn_cast<linalg::FillOp>(op)) {
        Value init = twin(fill.getDpsInits()[0]);
        b.setInsertionPointAfter(fill);
        result = b.create<linalg::FillOp>(loc, fill.getDpsInputs()[0], init)
                     .getResult(0);
      } else {
        auto generic = cast<linalg::GenericOp>(op);
        result = blockGeneric(generic, *channelDimension(generic));
      }
    } else {
      result = packChannels(b, loc, value, channelDim, lanes);
    }
    twins[value] = result;
    return result;
  }

  /// The NCHW value of blocked `value`, for ops that need NCHW.
  Value unpacked(Value value) {
    if (Value known = unpacks.lookup(value))
      return known;
    Value blockedValue = twins.lookup(value);
    assert(blockedValue && "a blocked value is used before its twin exists");
    OpBuilder b(value.getContext());
    setInsertionAfter(b, blockedValue);
    Value result =
        unpackChannels(b, value.getLoc(), blockedValue, originalType(value), 1);
    unpacks[value] = result;
    return result;
  }

  RankedTensorType originalType(Value value) {
    if (RankedTensorType type = originalTypes.lookup(value))
      return type;
    return cast<RankedTensorType>(value.getType());
  }

  //===--------------------------------------------------------------===//
  // Rewrite
  //===--------------------------------------------------------------===//

  Value blockGeneric(linalg::GenericOp generic, unsigned dim) {
    OpBuilder b(generic);
    unsigned loops = generic.getNumLoops();
    MLIRContext *context = generic.getContext();
    AffineExpr lane = getAffineDimExpr(loops, context);
    SmallVector<Value> inputs, inits;
    SmallVector<AffineMap> maps;
    for (OpOperand &operand : generic->getOpOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(&operand);
      SmallVector<AffineExpr> results(map.getResults());
      Value value = operand.get();
      if (usesChannel(generic, operand, dim)) {
        value = twin(value);
        results.push_back(lane);
      } else if (isBlocked(value)) {
        value = unpacked(value);
      }
      maps.push_back(AffineMap::get(loops + 1, 0, results, context));
      (generic.isDpsInit(&operand) ? inits : inputs).push_back(value);
    }
    SmallVector<utils::IteratorType> iterators =
        generic.getIteratorTypesArray();
    iterators.push_back(utils::IteratorType::parallel);
    b.setInsertionPoint(generic);
    auto result = b.create<linalg::GenericOp>(
        generic.getLoc(), TypeRange{inits.front().getType()}, inputs, inits,
        maps, iterators);
    IRMapping mapping;
    generic.getRegion().cloneInto(&result.getRegion(), mapping);
    for (NamedAttribute attr : generic->getDiscardableAttrs())
      result->setAttr(attr.getName(), attr.getValue());
    return result.getResult(0);
  }

  /// Whether `value` pads a value that has a twin already.
  bool isPaddedTwin(Value value) {
    auto pad = value.getDefiningOp<tensor::PadOp>();
    return pad && twins.count(pad.getSource());
  }

  void convertConvolution(ConvMatch found) {
    // One group, an input that is not blocked (a model input) and not
    // reordered for another reader: a 1x1 convolution reads it in NCHW, as
    // fast for its kernel (which broadcasts single input values) and
    // without the reorder; so does one whose input has too few channels
    // to fill a block. (A KxK kernel over many NCHW channels ran at half
    // the speed: each step's inputs are a whole image apart.)
    ArrayRef<int64_t> filter = found.filterShape;
    bool pointwise = filter[2] == 1 && filter[3] == 1;
    if (found.spec.form == ConvForm::Dense && found.groups == 1 &&
        !isBlocked(found.input) && !twins.count(found.input) &&
        !isPaddedTwin(found.input) && (pointwise || filter[1] < lanes))
      found.spec.form = ConvForm::PlainInput;
    const ConvMatch *match = &found;
    OpBuilder b(found.ops.front());
    Value input = match->spec.form == ConvForm::PlainInput ? found.input
                                                           : twin(found.input);
    if (found.inputBlocks > 0) {
      // Zero blocks past the input's last, which a group's span reaches.
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> low(5, b.getIndexAttr(0)), high = low;
      high[1] = b.getIndexAttr(found.inputBlocks - type.getDimSize(1));
      b.setInsertionPoint(found.ops.front());
      Value zero =
          b.create<arith::ConstantOp>(input.getLoc(), b.getF32FloatAttr(0.0));
      SmallVector<int64_t> shape(type.getShape());
      shape[1] = found.inputBlocks;
      input = b.create<tensor::PadOp>(
          input.getLoc(), RankedTensorType::get(shape, type.getElementType()),
          input, low, high, zero);
    }
    Value init = twin(found.init);
    b.setInsertionPoint(found.ops.back());
    if (found.initFill)
      init = b.create<linalg::FillOp>(found.ops.front()->getLoc(),
                                      found.initFill, init)
                 .getResult(0);
    twins[found.result] = buildBlockedConvolution(
        b, found.ops.front()->getLoc(), *match, input, init, lanes);
    for (Operation *op : found.ops)
      done.insert(op);
    converted.append(found.ops.begin(), found.ops.end());
  }

  void convertSlice(Operation *op) {
    OpBuilder b(op);
    auto blockRange = [&](SmallVector<OpFoldResult> offsets,
                          SmallVector<OpFoldResult> sizes,
                          SmallVector<OpFoldResult> strides, int64_t channels) {
      int64_t offset = *getConstantIntValue(offsets[1]);
      int64_t size = *getConstantIntValue(sizes[1]);
      offsets[1] = b.getIndexAttr(offset / lanes);
      sizes[1] = b.getIndexAttr(ceilDiv(size, lanes));
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(lanes));
      strides.push_back(b.getIndexAttr(1));
      (void)channels;
      return std::make_tuple(offsets, sizes, strides);
    };
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      auto [offsets, sizes, strides] = blockRange(
          slice.getMixedOffsets(), slice.getMixedSizes(),
          slice.getMixedStrides(), slice.getSourceType().getDimSize(1));
      twins[slice.getResult()] = b.create<tensor::ExtractSliceOp>(
          slice.getLoc(), twin(slice.getSource()), offsets, sizes, strides);
    } else {
      auto insert = cast<tensor::InsertSliceOp>(op);
      auto [offsets, sizes, strides] = blockRange(
          insert.getMixedOffsets(), insert.getMixedSizes(),
          insert.getMixedStrides(), insert.getDestType().getDimSize(1));
      Value source = twin(insert.getSource());
      Value dest = twin(insert.getDest());
      b.setInsertionPoint(insert);
      twins[insert.getResult()] = b.create<tensor::InsertSliceOp>(
          insert.getLoc(), source, dest, offsets, sizes, strides);
    }
    converted.push_back(op);
  }

  /// A pad of only the spatial dimensions, by a constant: it has a blocked
  /// twin whenever its source has one.
  static bool isSpatialPad(tensor::PadOp pad) {
    Value padValue = pad.getConstantPaddingValue();
    return isFeatureMap(pad.getResultType()) && pad.getStaticLow()[1] == 0 &&
           pad.getStaticHigh()[1] == 0 && padValue &&
           matchPattern(padValue, m_Constant());
  }

  void convertPad(tensor::PadOp pad) {
    twins[pad.getResult()] = blockPad(pad, twin(pad.getSource()));
    converted.push_back(pad);
  }

  Value blockPad(tensor::PadOp pad, Value source) {
    OpBuilder b(pad);
    Attribute padValue;
    matchPattern(pad.getConstantPaddingValue(), m_Constant(&padValue));
    SmallVector<OpFoldResult> low = pad.getMixedLowPad(),
                              high = pad.getMixedHighPad();
    low.push_back(b.getIndexAttr(0));
    high.push_back(b.getIndexAttr(0));
    Value value =
        b.create<arith::ConstantOp>(pad.getLoc(), cast<TypedAttr>(padValue));
    RankedTensorType type = blockedType(pad.getResultType(), 1, lanes);
    return b.create<tensor::PadOp>(pad.getLoc(), type, source, low, high,
                                   value);
  }

  /// A loop that carries blocked values carries their twins instead: its
  /// types change in place.
  void convertLoop(scf::ForOp loop) {
    for (unsigned i = 0; i < loop.getNumRegionIterArgs(); ++i) {
      BlockArgument argument = loop.getRegionIterArgs()[i];
      if (!isBlocked(argument))
        continue;
      Value result = loop.getResult(i);
      Value init = twin(loop.getInitArgs()[i]);
      loop.getInitArgsMutable()[i].set(init);
      originalTypes[argument] = cast<RankedTensorType>(argument.getType());
      originalTypes[result] = cast<RankedTensorType>(result.getType());
      argument.setType(init.getType());
      result.setType(init.getType());
      twins[argument] = argument;
      twins[result] = result;
    }
  }

  void rewrite(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (done.contains(&op))
        continue;
      if (auto anchor = anchors.find(&op); anchor != anchors.end()) {
        convertConvolution(anchor->second);
        continue;
      }
      if (op.getNumResults() == 1 && isBlocked(op.getResult(0)) &&
          !isa<scf::ForOp>(op)) {
        if (twins.count(op.getResult(0))) { // Built already, as an init.
          converted.push_back(&op);
          continue;
        }
        if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
          twins[generic.getResult(0)] =
              blockGeneric(generic, *channelDimension(generic));
          converted.push_back(generic);
        } else if (auto pad = dyn_cast<tensor::PadOp>(op)) {
          convertPad(pad);
        } else {
          convertSlice(&op);
        }
        continue;
      }
      if (auto loop = dyn_cast<scf::ForOp>(op))
        convertLoop(loop);
      if (auto yield = dyn_cast<scf::YieldOp>(op))
        if (auto loop = dyn_cast<scf::ForOp>(yield->getParentOp())) {
          for (OpOperand &operand : yield->getOpOperands())
            if (isBlocked(loop.getRegionIterArgs()[operand.getOperandNumber()]))
              operand.set(twin(operand.get()));
            else if (isBlocked(operand.get()))
              operand.set(unpacked(operand.get()));
          continue;
        }
      // An op that stays in NCHW reads blocked operands through unpacks.
      for (OpOperand &operand : op.getOpOperands())
        if (isBlocked(operand.get()) && !isa<scf::ForOp>(op))
          operand.set(unpacked(operand.get()));
      for (Region &region : op.getRegions())
        for (Block &nested : region)
          rewrite(nested);
    }
  }

  func::FuncOp func;
  int64_t lanes;
  bool loneConvolutionsInNCHW;
  llvm::DenseSet<Value> blocked;
  llvm::DenseMap<Value, Value> twins, unpacks;
  llvm::DenseMap<Value, RankedTensorType> originalTypes;
  llvm::DenseSet<Operation *> done;
  /// The convolutions that start blocked values, from the analysis (their
  /// operands as they were before the rewrite changed any).
  llvm::DenseMap<Operation *, ConvMatch> anchors;
  SmallVector<Operation *> converted;
};

struct CNNAssignLayout : cnnc::impl::CNNAssignLayoutBase<CNNAssignLayout> {
  using Base::Base;
  void runOnOperation() override {
    if (block <= 0)
      return;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() &&
          failed(LayoutAssignment(func, block, loneConvolutionsInNCHW).run()))
        return signalPassFailure();
  }
};

} // namespace

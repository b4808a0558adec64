//===- VectorizeConvolutions.cpp - register-tiled vector convolutions -----===//
//
// After bufferization, `linalg.conv_2d_nchw_fchw` and
// `linalg.depthwise_conv_2d_nchw_chw` on memrefs become loop nests whose
// innermost work is on 8-lane f32 vectors (one AVX2 register) along the
// output width, the dimension that is contiguous in NCHW:
//
// - Convolution: a register tile of R output channels x V vectors of output
//   columns stays in registers while the reduction over input channels and
//   kernel taps runs; each step loads V input vectors, broadcasts R filter
//   scalars and issues R*V multiply-adds (6 x 2 tiles: 12 accumulators, as in
//   BLIS's Haswell kernel). A 1x1, stride-1 convolution on contiguous buffers
//   is a matrix product over the flattened image, so its columns run over
//   H*W instead of one row.
// - Depthwise convolution: V = 4 vectors of one output row of one channel,
//   accumulated over the kernel taps.
//
// Constant filters are prepacked at compile time into the order the tile
// reads them, [O / R][C][KH][KW][R] (zero-padded to whole blocks), so the R
// values broadcast at each step are adjacent instead of C * KH * KW apart.
//
// Strided inputs are read with one masked load of the covering span and a
// shuffle that keeps every stride-th lane; the tails of rows and of channel
// blocks are handled by masked loads and stores of the exact valid lanes, so
// nothing is read or written outside the buffers.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallBitVector.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNVECTORIZECONVOLUTIONS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// f32 lanes of one AVX2 register.
constexpr int64_t kLanes = 8;

/// Builds the vector code of one kernel; every index is a compile-time
/// constant or a loop induction variable.
class VectorEmitter {
public:
  VectorEmitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t value) {
    return b.create<arith::ConstantIndexOp>(loc, value);
  }
  Value add(Value lhs, Value rhs) {
    return b.create<arith::AddIOp>(loc, lhs, rhs);
  }
  Value add(Value lhs, int64_t rhs) {
    return rhs == 0 ? lhs : add(lhs, index(rhs));
  }
  Value mul(Value lhs, int64_t rhs) {
    return rhs == 1 ? lhs : b.create<arith::MulIOp>(loc, lhs, index(rhs));
  }
  VectorType vectorType(int64_t lanes) {
    return VectorType::get({lanes}, b.getF32Type());
  }
  Value mask(int64_t lanes, int64_t active) {
    active = std::clamp<int64_t>(active, 0, lanes);
    return b.create<vector::CreateMaskOp>(
        loc, VectorType::get({lanes}, b.getI1Type()),
        ValueRange{index(active)});
  }
  Value zeros(int64_t lanes) {
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(vectorType(lanes), b.getF32FloatAttr(0)));
  }

  /// Lanes j < `valid` hold memref[indices..., column + j * stride]; the rest
  /// are zero and nothing past the last valid element is read.
  Value loadRow(Value memref, SmallVector<Value> indices, Value column,
                int64_t stride, int64_t valid) {
    indices.push_back(column);
    if (valid <= 0)
      return zeros(kLanes);
    if (stride == 1) {
      if (valid >= kLanes)
        return b.create<vector::LoadOp>(loc, vectorType(kLanes), memref,
                                        indices);
      return b.create<vector::MaskedLoadOp>(loc, vectorType(kLanes), memref,
                                            indices, mask(kLanes, valid),
                                            zeros(kLanes));
    }
    int64_t span = kLanes * stride;
    int64_t needed = (std::min(valid, kLanes) - 1) * stride + 1;
    Value wide =
        b.create<vector::MaskedLoadOp>(loc, vectorType(span), memref, indices,
                                       mask(span, needed), zeros(span));
    SmallVector<int64_t> picks;
    for (int64_t lane = 0; lane < kLanes; ++lane)
      picks.push_back(lane * stride);
    return b.create<vector::ShuffleOp>(loc, wide, wide, picks);
  }

  Value loadOutput(Value memref, SmallVector<Value> indices, int64_t valid) {
    Value column = indices.pop_back_val();
    return loadRow(memref, std::move(indices), column, 1, valid);
  }

  void storeRow(Value value, Value memref, ValueRange indices, int64_t valid) {
    if (valid <= 0)
      return;
    if (valid >= kLanes) {
      b.create<vector::StoreOp>(loc, value, memref, indices);
      return;
    }
    b.create<vector::MaskedStoreOp>(loc, memref, indices, mask(kLanes, valid),
                                    value);
  }

  /// acc + a * b, allowed to contract into one fused multiply-add.
  Value multiplyAdd(Value acc, Value lhs, Value rhs) {
    auto contract = arith::FastMathFlags::contract;
    Value product = b.create<arith::MulFOp>(loc, lhs, rhs, contract);
    return b.create<arith::AddFOp>(loc, acc, product, contract);
  }

  Value broadcastScalar(Value memref, ValueRange indices) {
    Value scalar = b.create<memref::LoadOp>(loc, memref, indices);
    return b.create<vector::BroadcastOp>(loc, vectorType(kLanes), scalar);
  }

  /// Runs `body(iv, carried)` for iv in [0, extent) and returns the carried
  /// values; an extent of one emits the body without a loop.
  using CarriedBody =
      function_ref<SmallVector<Value>(Value iv, ValueRange carried)>;
  SmallVector<Value> loopCarrying(int64_t extent, ValueRange init,
                                  CarriedBody body) {
    if (extent == 1)
      return body(index(0), init);
    auto loop = b.create<scf::ForOp>(
        loc, index(0), index(extent), index(1), init,
        [&](OpBuilder &nested, Location, Value iv, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nested.getInsertionBlock());
          b.create<scf::YieldOp>(loc, body(iv, carried));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// Runs `body(iv)` for iv in [begin, end) by `step`.
  void loop(int64_t begin, int64_t end, int64_t step,
            function_ref<void(Value)> body) {
    if (begin >= end)
      return;
    if (end - begin <= step) {
      body(index(begin));
      return;
    }
    b.create<scf::ForOp>(
        loc, index(begin), index(end), index(step), ValueRange{},
        [&](OpBuilder &nested, Location, Value iv, ValueRange) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nested.getInsertionBlock());
          body(iv);
          b.create<scf::YieldOp>(loc);
        });
  }

  /// Runs `body(begin, valid)` over [0, extent) in blocks of `block`: a loop
  /// over the full blocks, then one partial block with its valid count.
  void blocks(int64_t extent, int64_t block,
              function_ref<void(Value, int64_t)> body) {
    int64_t fullEnd = extent / block * block;
    loop(0, fullEnd, block, [&](Value begin) { body(begin, block); });
    if (fullEnd < extent)
      body(index(fullEnd), extent - fullEnd);
  }

  OpBuilder &b;
  Location loc;
};

bool isUsableBuffer(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32() &&
         isLastMemrefDimUnitStride(type);
}

/// Whether the H and W dimensions of an [N, C, H, W] buffer are contiguous,
/// so that it can be viewed as [N, C, H*W].
bool isImageCollapsible(Value value) {
  auto type = cast<MemRefType>(value.getType());
  return type.getRank() == 4 &&
         memref::CollapseShapeOp::isGuaranteedCollapsible(type,
                                                          {{0}, {1}, {2, 3}});
}

SmallVector<int64_t> intValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The operands and window of a convolution that the vector kernels take.
struct ConvOnBuffers {
  Value input, filter, output;
  SmallVector<int64_t> strides, dilations;
};

/// `op`'s operands if it runs on static f32 buffers whose innermost stride
/// is 1; otherwise failure, with the reason.
template <typename ConvOp>
FailureOr<ConvOnBuffers> matchConvOnBuffers(ConvOp op,
                                            PatternRewriter &rewriter) {
  if (!op.hasPureBufferSemantics())
    return rewriter.notifyMatchFailure(op, "not on buffers");
  ConvOnBuffers conv{op.getDpsInputs()[0], op.getDpsInputs()[1],
                     op.getDpsInits()[0], intValues(op.getStrides()),
                     intValues(op.getDilations())};
  if (!isUsableBuffer(conv.input) || !isUsableBuffer(conv.filter) ||
      !isUsableBuffer(conv.output))
    return rewriter.notifyMatchFailure(
        op, "needs static f32 buffers with unit innermost stride");
  return conv;
}

/// Indices of an element of an [N, C, H, W] buffer, or of its [N, C, H*W]
/// view when the image is flattened.
SmallVector<Value> imageIndices(Value n, Value c, Value row, bool flattened) {
  if (flattened)
    return {n, c};
  return {n, c, row};
}

/// The values of a constant global, if `filter` reads one (directly or
/// through the flat view of cnn-flatten-constant-globals).
std::optional<std::vector<float>> constantFilterValues(Value filter,
                                                       ModuleOp module) {
  if (auto view = filter.getDefiningOp<memref::ExpandShapeOp>())
    filter = view.getSrc();
  auto get = filter.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return std::nullopt;
  auto global = module.lookupSymbol<memref::GlobalOp>(get.getNameAttr());
  if (!global || !global.getConstant())
    return std::nullopt;
  Attribute initial = global.getInitialValueAttr();
  if (auto dense = dyn_cast_or_null<DenseFPElementsAttr>(initial)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  if (auto blob = dyn_cast_or_null<DenseF32ResourceElementsAttr>(initial))
    if (std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef())
      return std::vector<float>(data->begin(), data->end());
  return std::nullopt;
}

/// A constant global holding the filter [O, C, KH, KW] packed as
/// [ceil(O / R)][C][KH][KW][R], channels past O zero; read as 1-D.
Value packedFilter(OpBuilder &b, Location loc, ModuleOp module,
                   ArrayRef<float> values, ArrayRef<int64_t> shape,
                   int64_t rows, StringRef name) {
  std::string key = (name + "_packed" + Twine(rows)).str();
  auto global = module.lookupSymbol<memref::GlobalOp>(key);
  if (global)
    return b.create<memref::GetGlobalOp>(loc, global.getType(),
                                         global.getSymName());
  int64_t outChannels = shape[0], inner = shape[1] * shape[2] * shape[3];
  int64_t blocks = (outChannels + rows - 1) / rows;
  std::vector<float> packed(blocks * inner * rows, 0.0f);
  for (int64_t o = 0; o < outChannels; ++o)
    for (int64_t k = 0; k < inner; ++k)
      packed[((o / rows) * inner + k) * rows + o % rows] =
          values[o * inner + k];
  auto type = RankedTensorType::get({static_cast<int64_t>(packed.size())},
                                    b.getF32Type());
  auto data = DenseResourceElementsAttr::get(
      type, key,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(packed)));
  OpBuilder moduleBuilder(module.getBodyRegion());
  global = moduleBuilder.create<memref::GlobalOp>(
      loc, key, moduleBuilder.getStringAttr("private"),
      MemRefType::get(type.getShape(), type.getElementType()), data,
      /*constant=*/true, moduleBuilder.getI64IntegerAttr(64));
  return b.create<memref::GetGlobalOp>(loc, global.getType(),
                                       global.getSymName());
}

/// What a convolution's kernel takes over from the ops around it on the
/// same output buffer: the op that initializes the buffer (a fill with a
/// scalar or the broadcast of a per-channel bias), whose values become the
/// accumulators' initial values, and an element-wise epilogue (a
/// linalg.generic marked `cnnc.epilogue` that updates the buffer in place),
/// applied to the accumulators before they are stored, and after that a
/// reduction marked `cnnc.channel_sum` (a squeeze-and-excitation pool)
/// that adds each channel's results to a [N, C, 1, 1] buffer, done from
/// the stored vectors. These ops are then erased: the buffer is written
/// once and not read back.
struct ConvNeighbours {
  Operation *init = nullptr;
  Value fillValue;   // Scalar every accumulator starts from, or
  Value channelInit; // 1-D buffer read at the output channel.
  linalg::GenericOp epilogue;
  linalg::GenericOp channelSum;
};

bool isFourDimIdentity(AffineMap map) {
  return map.getNumDims() == 4 && map.isIdentity();
}

/// A map whose results are dims (each at most once) or the constant 0, with
/// d3 (the output column, the vector lanes) only as the last result.
bool isVectorReadableMap(AffineMap map) {
  llvm::SmallBitVector seen(map.getNumDims());
  for (auto [position, expr] : llvm::enumerate(map.getResults())) {
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      if (constant.getValue() != 0)
        return false;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || seen.test(dim.getPosition()))
      return false;
    seen.set(dim.getPosition());
    if (dim.getPosition() == 3 && position + 1 != map.getNumResults())
      return false;
  }
  return true;
}

bool usesDim(AffineMap map, unsigned dim) {
  return llvm::any_of(map.getResults(), [&](AffineExpr expr) {
    auto d = dyn_cast<AffineDimExpr>(expr);
    return d && d.getPosition() == dim;
  });
}

bool isVectorizableEpilogue(linalg::GenericOp generic, Value output) {
  if (!generic->hasAttr("cnnc.epilogue") || generic.getNumDpsInits() != 1 ||
      generic.getDpsInits()[0] != output || !generic.hasPureBufferSemantics())
    return false;
  if (generic.getNumLoops() != 4 || generic.getNumParallelLoops() != 4)
    return false;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (!isFourDimIdentity(maps.back()))
    return false;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (!isUsableBuffer(input->get()) ||
        !isVectorReadableMap(maps[input->getOperandNumber()]))
      return false;
  }
  for (Operation &op : generic.getRegion().front().without_terminator()) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      if (!isa<FloatAttr>(constant.getValue()))
        return false;
      continue;
    }
    if (!OpTrait::hasElementwiseMappableTraits(&op) || op.getNumRegions())
      return false;
    auto isScalar = [](Type type) { return type.isF32() || type.isInteger(1); };
    if (!llvm::all_of(op.getOperandTypes(), isScalar) ||
        !llvm::all_of(op.getResultTypes(), isScalar))
      return false;
  }
  return generic.getRegion().front().getTerminator()->getNumOperands() == 1;
}

/// Whether `generic` is the channel-sum reduction of `output` that
/// squeeze_excite's lowering emits: sums[n, c, 0, 0] += output[n, c, h, w].
bool isChannelSum(linalg::GenericOp generic, Value output) {
  if (!generic->hasAttr("cnnc.channel_sum") ||
      !generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getDpsInputs()[0] != output)
    return false;
  Value sums = generic.getDpsInits()[0];
  auto type = dyn_cast<MemRefType>(sums.getType());
  MLIRContext *context = generic.getContext();
  AffineExpr zero = getAffineConstantExpr(0, context);
  AffineMap sumsMap = AffineMap::get(
      4, 0,
      {getAffineDimExpr(0, context), getAffineDimExpr(1, context), zero, zero},
      context);
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  return type && type.getRank() == 4 && type.hasStaticShape() &&
         type.getElementType().isF32() && isFourDimIdentity(maps[0]) &&
         maps[1] == sumsMap;
}

/// Whether the epilogue's operands still read correctly when the image is
/// flattened to [N, C, H*W]: each is per-element over an image whose rows
/// are contiguous, or does not depend on the position in the image.
bool epilogueAllowsFlattening(linalg::GenericOp generic) {
  if (!generic)
    return true;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    if (isFourDimIdentity(map)) {
      if (!isImageCollapsible(input->get()))
        return false;
      continue;
    }
    if (usesDim(map, 2) || usesDim(map, 3))
      return false;
  }
  return true;
}

ConvNeighbours findNeighbours(Operation *conv, Value output) {
  ConvNeighbours neighbours;
  Operation *previous = conv->getPrevNode();
  while (previous && isMemoryEffectFree(previous))
    previous = previous->getPrevNode();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(previous)) {
    if (fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == output &&
        fill.getDpsInputs()[0].getType().isF32()) {
      neighbours.init = fill;
      neighbours.fillValue = fill.getDpsInputs()[0];
    }
  } else if (auto generic = dyn_cast_or_null<linalg::GenericOp>(previous)) {
    Block &body = generic.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (generic.hasPureBufferSemantics() && generic.getNumDpsInputs() == 1 &&
        generic.getNumDpsInits() == 1 && generic.getDpsInits()[0] == output &&
        generic.getNumParallelLoops() == generic.getNumLoops() &&
        generic.getNumLoops() == 4 &&
        cast<MemRefType>(generic.getDpsInputs()[0].getType()).getRank() == 1 &&
        isUsableBuffer(generic.getDpsInputs()[0]) &&
        generic.getIndexingMapsArray()[0] ==
            AffineMap::get(4, 0, getAffineDimExpr(1, generic.getContext())) &&
        isFourDimIdentity(generic.getIndexingMapsArray()[1]) &&
        &body.front() == yield.getOperation() &&
        yield.getOperand(0) == body.getArgument(0)) {
      neighbours.init = generic;
      neighbours.channelInit = generic.getDpsInputs()[0];
    }
  }
  auto nextWithEffects = [](Operation *op) {
    Operation *next = op->getNextNode();
    while (next && isMemoryEffectFree(next))
      next = next->getNextNode();
    return dyn_cast_or_null<linalg::GenericOp>(next);
  };
  Operation *last = conv;
  if (linalg::GenericOp generic = nextWithEffects(conv))
    if (isVectorizableEpilogue(generic, output))
      last = neighbours.epilogue = generic;
  if (linalg::GenericOp generic = nextWithEffects(last))
    if (isChannelSum(generic, output))
      neighbours.channelSum = generic;
  return neighbours;
}

/// Applies a convolution's init and epilogue to its register tiles.
class TileEpilogue {
public:
  TileEpilogue(VectorEmitter &e, ConvNeighbours neighbours, bool flattened)
      : e(e), neighbours(neighbours), flattened(flattened) {
    if (!neighbours.epilogue)
      return;
    for (OpOperand *input : neighbours.epilogue.getDpsInputOperands()) {
      Value buffer = input->get();
      AffineMap map =
          neighbours.epilogue.getIndexingMapsArray()[input->getOperandNumber()];
      if (flattened && isFourDimIdentity(map))
        buffer = e.b.create<memref::CollapseShapeOp>(
            e.loc, buffer, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
      inputs.push_back(buffer);
    }
  }

  /// The accumulator's initial value at (n, channel, row, column), or
  /// nullptr when it is read from the output buffer.
  Value initial(Value channel) {
    if (neighbours.fillValue)
      return e.b.create<vector::BroadcastOp>(e.loc, e.vectorType(kLanes),
                                             neighbours.fillValue);
    if (neighbours.channelInit)
      return e.broadcastScalar(neighbours.channelInit, {channel});
    return nullptr;
  }

  /// The accumulator after the epilogue; `row` is null when flattened.
  Value apply(Value accumulator, Value n, Value channel, Value row,
              Value column, int64_t valid) {
    linalg::GenericOp generic = neighbours.epilogue;
    if (!generic)
      return accumulator;
    Block &body = generic.getRegion().front();
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    Value dims[] = {n, channel, row, column};
    IRMapping mapping;
    for (auto [index, buffer] : llvm::enumerate(inputs)) {
      AffineMap map = maps[index];
      Value value;
      if (flattened && isFourDimIdentity(map)) {
        value = e.loadRow(buffer, {n, channel}, column, 1, valid);
      } else {
        SmallVector<Value> indices;
        for (AffineExpr expr : map.getResults()) {
          if (auto dim = dyn_cast<AffineDimExpr>(expr))
            indices.push_back(dims[dim.getPosition()]);
          else
            indices.push_back(e.index(0));
        }
        if (usesDim(map, 3)) {
          Value lanes = indices.pop_back_val();
          value = e.loadRow(buffer, indices, lanes, 1, valid);
        } else {
          value = e.broadcastScalar(buffer, indices);
        }
      }
      mapping.map(body.getArgument(index), value);
    }
    mapping.map(body.getArgument(inputs.size()), accumulator);
    for (Operation &op : body.without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        mapping.map(
            constant.getResult(),
            e.b.create<arith::ConstantOp>(
                e.loc, DenseElementsAttr::get(
                           VectorType::get({kLanes}, constant.getType()),
                           constant.getValue())));
        continue;
      }
      // Scalars from outside the body (hoisted constants) are broadcast.
      for (Value operand : op.getOperands())
        if (!mapping.contains(operand))
          mapping.map(operand,
                      e.b.create<vector::BroadcastOp>(
                          e.loc, VectorType::get({kLanes}, operand.getType()),
                          operand));
      Operation *clone = e.b.clone(op, mapping);
      for (Value result : clone->getResults())
        result.setType(VectorType::get({kLanes}, result.getType()));
    }
    return mapping.lookup(body.getTerminator()->getOperand(0));
  }

  /// Adds the valid lanes of one channel's stored results (`valid[v]` lanes
  /// of `results[v]`) to its channel sum, when there is one.
  void accumulateChannelSum(ArrayRef<Value> results, ArrayRef<int64_t> valid,
                            Value n, Value channel) {
    if (!neighbours.channelSum)
      return;
    Value total;
    for (auto [result, lanes] : llvm::zip(results, valid)) {
      if (lanes <= 0)
        continue;
      Value part = result;
      if (lanes < kLanes)
        part = e.b.create<arith::SelectOp>(e.loc, e.mask(kLanes, lanes), result,
                                           e.zeros(kLanes));
      total = total ? e.b.create<arith::AddFOp>(e.loc, total, part) : part;
    }
    if (!total)
      return;
    Value sums = neighbours.channelSum.getDpsInits()[0];
    SmallVector<Value> at{n, channel, e.index(0), e.index(0)};
    Value sum = e.b.create<memref::LoadOp>(e.loc, sums, at);
    sum = e.b.create<vector::ReductionOp>(e.loc, vector::CombiningKind::ADD,
                                          total, sum,
                                          arith::FastMathFlags::reassoc);
    e.b.create<memref::StoreOp>(e.loc, sum, sums, at);
  }

  /// Erases the ops whose work the kernel took over.
  void eraseAbsorbed(PatternRewriter &rewriter) {
    if (neighbours.channelSum)
      rewriter.eraseOp(neighbours.channelSum);
    if (neighbours.epilogue)
      rewriter.eraseOp(neighbours.epilogue);
    if (neighbours.init)
      rewriter.eraseOp(neighbours.init);
  }

private:
  VectorEmitter &e;
  ConvNeighbours neighbours;
  bool flattened;
  SmallVector<Value> inputs;
};

struct ConvLowering : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvOnBuffers> conv = matchConvOnBuffers(op, rewriter);
    if (failed(conv))
      return failure();
    Value input = conv->input, filter = conv->filter, output = conv->output;
    ArrayRef<int64_t> strides = conv->strides, dilations = conv->dilations;
    ArrayRef<int64_t> inShape = cast<MemRefType>(input.getType()).getShape();
    ArrayRef<int64_t> fShape = cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> outShape = cast<MemRefType>(output.getType()).getShape();
    int64_t batch = outShape[0], outChannels = outShape[1],
            outHeight = outShape[2], outWidth = outShape[3],
            inChannels = fShape[1], kernelH = fShape[2], kernelW = fShape[3];

    Location loc = op.getLoc();
    VectorEmitter e(rewriter, loc);

    // A 1x1 stride-1 convolution over whole contiguous images is a matrix
    // product whose columns run over the flattened image.
    ConvNeighbours neighbours = findNeighbours(op, output);
    bool flattened = kernelH == 1 && kernelW == 1 && strides[0] == 1 &&
                     strides[1] == 1 && inShape[2] == outHeight &&
                     inShape[3] == outWidth && isImageCollapsible(input) &&
                     isImageCollapsible(output) &&
                     epilogueAllowsFlattening(neighbours.epilogue);
    int64_t rows = outHeight, columns = outWidth;
    if (flattened) {
      SmallVector<ReassociationIndices> image = {{0}, {1}, {2, 3}};
      input = rewriter.create<memref::CollapseShapeOp>(loc, input, image);
      output = rewriter.create<memref::CollapseShapeOp>(loc, output, image);
      rows = 1;
      columns = outHeight * outWidth;
    }
    TileEpilogue epilogue(e, neighbours, flattened);

    // The register tile: 6 channels x 2 vectors, or 12 x 1 for narrow
    // images, so that 12 accumulators, the input vectors and a broadcast
    // filter value fit the 16 vector registers.
    int64_t vectors = columns > kLanes ? 2 : 1;
    int64_t tileChannels = vectors == 2 ? 6 : 12;
    int64_t tileColumns = vectors * kLanes;

    // Filter values, from the packed copy when the filter is a constant.
    auto module = op->getParentOfType<ModuleOp>();
    Value packed;
    if (std::optional<std::vector<float>> values =
            constantFilterValues(filter, module)) {
      auto get = (filter.getDefiningOp<memref::ExpandShapeOp>()
                      ? filter.getDefiningOp<memref::ExpandShapeOp>().getSrc()
                      : filter)
                     .getDefiningOp<memref::GetGlobalOp>();
      packed = packedFilter(rewriter, loc, module, *values, fShape,
                            tileChannels, get.getName());
    }
    auto filterValue = [&](Value channel, int64_t i, Value c, Value kh,
                           Value kw) {
      if (!packed)
        return e.broadcastScalar(filter, {e.add(channel, i), c, kh, kw});
      // channel is a multiple of tileChannels: block channel / R, lane i.
      Value tap = e.add(e.mul(e.add(e.mul(c, kernelH), kh), kernelW), kw);
      Value block =
          rewriter.create<arith::DivUIOp>(loc, channel, e.index(tileChannels));
      Value position =
          e.add(e.mul(e.add(e.mul(block, inChannels * kernelH * kernelW), tap),
                      tileChannels),
                i);
      return e.broadcastScalar(packed, {position});
    };

    auto emitTile = [&](Value n, Value row, Value column, int64_t valid,
                        Value channel, int64_t channels) {
      auto validLanes = [&](int64_t v) { return valid - v * kLanes; };
      SmallVector<Value> accumulators;
      for (int64_t i = 0; i < channels; ++i)
        for (int64_t v = 0; v < vectors; ++v) {
          SmallVector<Value> at =
              imageIndices(n, e.add(channel, i), row, flattened);
          at.push_back(e.add(column, v * kLanes));
          Value initial = epilogue.initial(e.add(channel, i));
          accumulators.push_back(
              initial ? initial : e.loadOutput(output, at, validLanes(v)));
        }
      accumulators = e.loopCarrying(
          inChannels, accumulators, [&](Value c, ValueRange carried) {
            return e.loopCarrying(
                kernelH, carried, [&](Value kh, ValueRange carried) {
                  return e.loopCarrying(
                      kernelW, carried, [&](Value kw, ValueRange carried) {
                        Value inRow = flattened
                                          ? Value()
                                          : e.add(e.mul(row, strides[0]),
                                                  e.mul(kh, dilations[0]));
                        Value inColumn = e.add(e.mul(column, strides[1]),
                                               e.mul(kw, dilations[1]));
                        SmallVector<Value> pixels;
                        for (int64_t v = 0; v < vectors; ++v)
                          pixels.push_back(e.loadRow(
                              input, imageIndices(n, c, inRow, flattened),
                              e.add(inColumn, v * kLanes * strides[1]),
                              strides[1], validLanes(v)));
                        SmallVector<Value> next(carried);
                        for (int64_t i = 0; i < channels; ++i) {
                          Value weight = filterValue(channel, i, c, kh, kw);
                          for (int64_t v = 0; v < vectors; ++v)
                            next[i * vectors + v] = e.multiplyAdd(
                                next[i * vectors + v], weight, pixels[v]);
                        }
                        return next;
                      });
                });
          });
      for (int64_t i = 0; i < channels; ++i) {
        SmallVector<Value> results;
        SmallVector<int64_t> valids;
        for (int64_t v = 0; v < vectors; ++v) {
          SmallVector<Value> at =
              imageIndices(n, e.add(channel, i), row, flattened);
          at.push_back(e.add(column, v * kLanes));
          Value result =
              epilogue.apply(accumulators[i * vectors + v], n,
                             e.add(channel, i), flattened ? Value() : row,
                             e.add(column, v * kLanes), validLanes(v));
          e.storeRow(result, output, at, validLanes(v));
          results.push_back(result);
          valids.push_back(validLanes(v));
        }
        epilogue.accumulateChannelSum(results, valids, n, e.add(channel, i));
      }
    };

    // Column blocks outside, channel blocks inside: the input columns of a
    // block are reused from cache by every channel block.
    e.loop(0, batch, 1, [&](Value n) {
      e.loop(0, rows, 1, [&](Value row) {
        e.blocks(columns, tileColumns, [&](Value column, int64_t valid) {
          e.blocks(outChannels, tileChannels,
                   [&](Value channel, int64_t channels) {
                     emitTile(n, row, column, valid, channel, channels);
                   });
        });
      });
    });
    epilogue.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    return success();
  }
};

struct DepthwiseLowering : OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<ConvOnBuffers> conv = matchConvOnBuffers(op, rewriter);
    if (failed(conv))
      return failure();
    Value input = conv->input, filter = conv->filter, output = conv->output;
    ArrayRef<int64_t> strides = conv->strides, dilations = conv->dilations;
    ArrayRef<int64_t> fShape = cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> outShape = cast<MemRefType>(output.getType()).getShape();
    int64_t kernelH = fShape[1], kernelW = fShape[2];
    int64_t columns = outShape[3];
    int64_t vectors =
        std::clamp<int64_t>((columns + kLanes - 1) / kLanes, 1, 4);

    VectorEmitter e(rewriter, op.getLoc());
    ConvNeighbours neighbours = findNeighbours(op, output);
    TileEpilogue epilogue(e, neighbours, /*flattened=*/false);
    e.loop(0, outShape[0], 1, [&](Value n) {
      e.loop(0, outShape[1], 1, [&](Value c) {
        e.loop(0, outShape[2], 1, [&](Value row) {
          e.blocks(columns, vectors * kLanes, [&](Value column, int64_t valid) {
            auto validLanes = [&](int64_t v) { return valid - v * kLanes; };
            SmallVector<Value> accumulators;
            for (int64_t v = 0; v < vectors; ++v) {
              Value initial = epilogue.initial(c);
              accumulators.push_back(
                  initial ? initial
                          : e.loadOutput(output,
                                         {n, c, row, e.add(column, v * kLanes)},
                                         validLanes(v)));
            }
            accumulators = e.loopCarrying(
                kernelH, accumulators, [&](Value kh, ValueRange carried) {
                  return e.loopCarrying(
                      kernelW, carried, [&](Value kw, ValueRange carried) {
                        Value inRow = e.add(e.mul(row, strides[0]),
                                            e.mul(kh, dilations[0]));
                        Value inColumn = e.add(e.mul(column, strides[1]),
                                               e.mul(kw, dilations[1]));
                        Value weight = e.broadcastScalar(filter, {c, kh, kw});
                        SmallVector<Value> next(carried);
                        for (int64_t v = 0; v < vectors; ++v)
                          next[v] = e.multiplyAdd(
                              next[v], weight,
                              e.loadRow(
                                  input, {n, c, inRow},
                                  e.add(inColumn, v * kLanes * strides[1]),
                                  strides[1], validLanes(v)));
                        return next;
                      });
                });
            SmallVector<Value> results;
            SmallVector<int64_t> valids;
            for (int64_t v = 0; v < vectors; ++v) {
              Value at = e.add(column, v * kLanes);
              Value result =
                  epilogue.apply(accumulators[v], n, c, row, at, validLanes(v));
              e.storeRow(result, output, {n, c, row, at}, validLanes(v));
              results.push_back(result);
              valids.push_back(validLanes(v));
            }
            epilogue.accumulateChannelSum(results, valids, n, c);
          });
        });
      });
    });
    epilogue.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    return success();
  }
};

struct CNNVectorizeConvolutions
    : cnnc::impl::CNNVectorizeConvolutionsBase<CNNVectorizeConvolutions> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvLowering, DepthwiseLowering>(&getContext());
    // Each match is rewritten once; the new ops are not revisited.
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns),
                                            config)))
      signalPassFailure();
  }
};

} // namespace

//===- VectorizeConvolutions.cpp - register-tiled vector convolutions -----===//
//
// After bufferization, `linalg.conv_2d_nchw_fchw` and
// `linalg.depthwise_conv_2d_nchw_chw` on memrefs become loop nests whose
// innermost work is on 8-lane f32 vectors (one AVX2 register, VectorEmitter's
// default) along the output width, the dimension that is contiguous in NCHW:
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
// This file holds the two patterns and the filter packing; VectorEmitter
// builds their vector code and ConvEpilogue.h the ops they absorb.
//
//===----------------------------------------------------------------------===//

#include "ConvEpilogue.h"
#include "DepthwiseKernel.h"
#include "cnnc/Transforms/ConstantValues.h"
#include "cnnc/Transforms/Passes.h"
#include "cnnc/Transforms/VectorEmitter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNVECTORIZECONVOLUTIONS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::vectorize;

namespace {

SmallVector<int64_t> intValues(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The operands and window of a convolution that the vector kernels take.
struct ConvOnBuffers {
  Value input, filter, output;
  SmallVector<int64_t> strides, dilations;
  /// Ops before the convolution whose work its kernel does, erased with it.
  SmallVector<Operation *> absorbed;

  static ArrayRef<int64_t> shape(Value buffer) {
    return cast<MemRefType>(buffer.getType()).getShape();
  }
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
  return cnnc::floatValues(global.getInitialValueAttr());
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

/// Replaces a convolution on buffers by the vector kernel that
/// `Kernel::emitKernel` builds, which also does the work of the ops around
/// it (its neighbours), erased with it.
template <typename Kernel, typename ConvOp>
struct ConvKernelPattern : OpRewritePattern<ConvOp> {
  ConvKernelPattern(MLIRContext *context, int64_t lanes, int64_t registers)
      : OpRewritePattern<ConvOp>(context), lanes(lanes), registers(registers) {}

  int64_t lanes, registers;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const final {
    FailureOr<ConvOnBuffers> conv = matchConvOnBuffers(op, rewriter);
    if (failed(conv))
      return failure();
    VectorEmitter e(rewriter, op.getLoc(), lanes);
    ConvNeighbours neighbours = findNeighbours(op, conv->output);
    static_cast<const Kernel *>(this)->emitKernel(e, op, *conv, neighbours);
    neighbours.eraseAbsorbed(rewriter);
    rewriter.eraseOp(op);
    for (Operation *absorbed : conv->absorbed)
      rewriter.eraseOp(absorbed);
    return success();
  }
};

struct ConvLowering
    : ConvKernelPattern<ConvLowering, linalg::Conv2DNchwFchwOp> {
  using ConvKernelPattern::ConvKernelPattern;

  void emitKernel(VectorEmitter &e, linalg::Conv2DNchwFchwOp op,
                  ConvOnBuffers &conv, const ConvNeighbours &neighbours) const {
    Value input = conv.input, filter = conv.filter, output = conv.output;
    ArrayRef<int64_t> strides = conv.strides, dilations = conv.dilations;
    ArrayRef<int64_t> inShape = ConvOnBuffers::shape(input);
    ArrayRef<int64_t> fShape = ConvOnBuffers::shape(filter);
    ArrayRef<int64_t> outShape = ConvOnBuffers::shape(output);
    int64_t batch = outShape[0], outChannels = outShape[1],
            outHeight = outShape[2], outWidth = outShape[3],
            inChannels = fShape[1], kernelH = fShape[2], kernelW = fShape[3];
    Location loc = e.loc;
    int64_t lanes = e.getLanes();

    // A 1x1 stride-1 convolution over whole contiguous images is a matrix
    // product whose columns run over the flattened image.
    bool flattened = kernelH == 1 && kernelW == 1 && strides[0] == 1 &&
                     strides[1] == 1 && inShape[2] == outHeight &&
                     inShape[3] == outWidth && isImageCollapsible(input) &&
                     isImageCollapsible(output) &&
                     epilogueAllowsFlattening(neighbours.epilogue);
    int64_t rows = outHeight, columns = outWidth;
    if (flattened) {
      SmallVector<ReassociationIndices> image = {{0}, {1}, {2, 3}};
      input = e.b.create<memref::CollapseShapeOp>(loc, input, image);
      output = e.b.create<memref::CollapseShapeOp>(loc, output, image);
      rows = 1;
      columns = outHeight * outWidth;
    }
    TileEpilogue epilogue(e, neighbours, flattened);

    // The register tile: R channels x V vectors of accumulators, the V
    // input vectors and a broadcast filter value fit the vector registers:
    // with 16, 6 x 2 or 12 x 1 for narrow images; with 32, 24 accumulators
    // in 6 x 4 down to 24 x 1 as the image narrows.
    int64_t vectors, tileChannels;
    if (registers >= 32) {
      vectors = std::clamp<int64_t>((columns + lanes - 1) / lanes, 1, 4);
      tileChannels = 24 / vectors;
    } else {
      vectors = columns > lanes ? 2 : 1;
      tileChannels = vectors == 2 ? 6 : 12;
    }
    int64_t tileColumns = vectors * lanes;

    // Filter values, from the packed copy when the filter is a constant.
    auto module = op->getParentOfType<ModuleOp>();
    Value packed;
    if (std::optional<std::vector<float>> values =
            constantFilterValues(filter, module)) {
      auto get = (filter.getDefiningOp<memref::ExpandShapeOp>()
                      ? filter.getDefiningOp<memref::ExpandShapeOp>().getSrc()
                      : filter)
                     .getDefiningOp<memref::GetGlobalOp>();
      packed = packedFilter(e.b, loc, module, *values, fShape, tileChannels,
                            get.getName());
    }
    auto filterValue = [&](Value channel, int64_t i, Value c, Value kh,
                           Value kw) {
      if (!packed)
        return e.broadcastScalar(filter, {e.add(channel, i), c, kh, kw});
      // channel is a multiple of tileChannels: block channel / R, lane i.
      Value tap = e.add(e.mul(e.add(e.mul(c, kernelH), kh), kernelW), kw);
      Value block =
          e.b.create<arith::DivUIOp>(loc, channel, e.index(tileChannels));
      Value position =
          e.add(e.mul(e.add(e.mul(block, inChannels * kernelH * kernelW), tap),
                      tileChannels),
                i);
      return e.broadcastScalar(packed, {position});
    };

    auto emitTile = [&](Value n, Value row, Value column, int64_t valid,
                        Value channel, int64_t channels) {
      auto validLanes = [&](int64_t v) { return valid - v * lanes; };
      SmallVector<Value> accumulators;
      for (int64_t i = 0; i < channels; ++i)
        for (int64_t v = 0; v < vectors; ++v) {
          SmallVector<Value> at =
              imageIndices(n, e.add(channel, i), row, flattened);
          at.push_back(e.add(column, v * lanes));
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
                              e.add(inColumn, v * lanes * strides[1]),
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
      for (int64_t i = 0; i < channels; ++i)
        epilogue.store(
            ArrayRef(accumulators).slice(i * vectors, vectors), valid, output,
            n, row, [&] { return e.add(channel, i); },
            [&](int64_t v) { return e.add(column, v * lanes); });
    };

    // Column blocks outside, channel blocks inside: the input columns of a
    // block are reused from cache by every channel block. Images and rows
    // run in parallel (the column blocks of a flattened image, its one
    // row), unless the kernel adds up channel sums: then every row of an
    // image is one thread's, so that no two threads update a sum.
    auto channelTiles = [&](Value n, Value row, Value column, int64_t valid) {
      e.blocks(outChannels, tileChannels, [&](Value channel, int64_t channels) {
        emitTile(n, row, column, valid, channel, channels);
      });
    };
    auto tilesOfRow = [&](Value n, Value row) {
      e.blocks(columns, tileColumns, [&](Value column, int64_t valid) {
        channelTiles(n, row, column, valid);
      });
    };
    if (neighbours.channelSum) {
      e.parallel({batch}, [&](ValueRange at) {
        e.loop(0, rows, 1, [&](Value row) { tilesOfRow(at[0], row); });
      });
    } else if (flattened) {
      int64_t fullBlocks = columns / tileColumns;
      Value row = e.index(0);
      e.parallel({batch, fullBlocks}, [&](ValueRange at) {
        channelTiles(at[0], row, e.mul(at[1], tileColumns), tileColumns);
      });
      if (int64_t tail = columns % tileColumns)
        e.parallel({batch}, [&](ValueRange at) {
          channelTiles(at[0], row, e.index(fullBlocks * tileColumns), tail);
        });
    } else {
      e.parallel({batch, rows},
                 [&](ValueRange at) { tilesOfRow(at[0], at[1]); });
    }
  }
};

struct DepthwiseLowering
    : ConvKernelPattern<DepthwiseLowering, linalg::DepthwiseConv2DNchwChwOp> {
  using ConvKernelPattern::ConvKernelPattern;

  void emitKernel(VectorEmitter &e, linalg::DepthwiseConv2DNchwChwOp op,
                  ConvOnBuffers &conv, const ConvNeighbours &neighbours) const {
    DepthwiseProblem problem{conv.input, conv.filter,  conv.output,   0,
                             0,          conv.strides, conv.dilations};
    // A zero-padded copy of a model input: read the input itself.
    if (std::optional<ZeroPaddedArgument> padded =
            findZeroPaddedArgument(conv.input, op)) {
      problem.input = padded->source;
      problem.padTop = padded->top;
      problem.padLeft = padded->left;
      conv.absorbed = padded->ops;
    }
    emitDepthwiseKernel(e, problem, neighbours);
  }
};

struct CNNVectorizeConvolutions
    : cnnc::impl::CNNVectorizeConvolutionsBase<CNNVectorizeConvolutions> {
  using CNNVectorizeConvolutionsBase::CNNVectorizeConvolutionsBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvLowering, DepthwiseLowering>(&getContext(), vectorLanes,
                                                  vectorRegisters);
    if (failed(rewriteExistingOpsOnce(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
